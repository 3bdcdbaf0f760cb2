#include "views/output/DecoderView.h"

#include "PlotRenderer.h"
#include "training/Decoding.h"
#include "views/output/ImageView.h"
#include "views/output/PointCloudView.h"

#include <cmath>

namespace latentlab::gui {

namespace {
// Two decimals for everyday values; a diverged model's -10751644672 as -1.08e+10.
QString number(double v) {
    if (!std::isfinite(v)) return std::isnan(v) ? QStringLiteral("NaN") : v > 0 ? QStringLiteral("∞") : QStringLiteral("-∞");
    const double a = std::abs(v);
    if (a != 0 && (a >= 1e4 || a < 0.005)) return QString::number(v, 'g', 3);
    return QString::number(v, 'f', 2);
}

QString codeText(const Vector& z) {
    QStringList parts;
    for (Index k = 0; k < std::min<Index>(z.size(), 6); ++k)
        parts << number(double(z[k]));
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
        m_image->setImage(app::greyImage(output.data(), m_dataset->imageWidth, m_dataset->imageHeight));
        m_image->setCaption(codeText(z));
        return;
    }
    QStringList xs;
    for (Index k = 0; k < std::min<Index>(output.size(), 3); ++k)
        xs << number(double(output[k]));
    m_cloud->setMarkers(Matrix(output), QColor(220, 30, 30), 7);
    m_cloud->setCaption(codeText(z) + "\n→ x = (" + xs.join(", ") + (output.size() > 3 ? ", …)" : ")"));
}

} // namespace latentlab::gui
