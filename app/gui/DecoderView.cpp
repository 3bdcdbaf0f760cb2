#include "DecoderView.h"

#include "Decoding.h"
#include "ImageView.h"
#include "PointCloudView.h"

namespace latentlab::gui {

namespace {
QString codeText(const Vector& z) {
    QStringList parts;
    for (Index k = 0; k < std::min<Index>(z.size(), 6); ++k)
        parts << QString::number(double(z[k]), 'f', 2);
    if (z.size() > 6) parts << "…";
    return "z = (" + parts.join(", ") + ")";
}
} // namespace

DecoderView::DecoderView(QWidget* parent)
    : DataOutputView(
          tr("The decoder's output for the point you click or drag on the latent plane. It follows "
             "the training live."),
          parent) {}

void DecoderView::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
    m_z.resize(0);
    m_output.resize(0);
    const bool image = m_dataset && m_dataset->isImage();
    showImages(image);
    m_image->setImage({});
    m_image->setCaption(tr("Click the latent plane"));
    m_cloud->setDataset(image ? nullptr : m_dataset.get());
    m_cloud->setCaption(tr("Click the latent plane to decode a point"));
}

void DecoderView::showDecoded(const Vector& z, const Vector& output) {
    m_z = z;
    m_output = output;
    if (!m_dataset) return;
    if (m_dataset->isImage()) {
        m_image->setImage(toImage(output.data(), m_dataset->imageWidth, m_dataset->imageHeight));
        m_image->setCaption(codeText(z));
        return;
    }
    QStringList xs;
    for (Index k = 0; k < std::min<Index>(output.size(), 3); ++k)
        xs << QString::number(double(output[k]), 'f', 2);
    m_cloud->setMarkers(Matrix(output), QColor(220, 30, 30), 7);
    m_cloud->setCaption(codeText(z) + "  →  x = (" + xs.join(", ") +
                        (output.size() > 3 ? ", …)" : ")"));
}

} // namespace latentlab::gui
