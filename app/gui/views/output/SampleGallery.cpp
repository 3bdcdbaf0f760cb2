#include "views/output/SampleGallery.h"

#include "PlotRenderer.h"
#include "training/Decoding.h"
#include "views/output/ImageView.h"
#include "views/output/PointCloudView.h"

#include <cmath>

namespace latentlab::gui {

SampleGallery::SampleGallery(QWidget* parent)
    : DataOutputView(
          tr("Samples from the VAE's prior: codes drawn from N(0, I) and decoded. They are marked "
             "with crosses on the latent plane."),
          parent) {}

void SampleGallery::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
    m_vae = info.config.model.kind == ModelKind::Vae;
    const bool image = m_dataset && m_dataset->isImage();
    showImages(image);
    // Without a prior there is nothing to show against the data.
    m_cloud->setDataset(image || !m_vae ? nullptr : m_dataset.get());
    clear();
}

void SampleGallery::clear() {
    m_samples.resize(0, 0);
    const QString hint =
        m_vae ? tr("Press \"Sample from prior\"") : tr("Only a VAE has a prior to sample from");
    m_image->setImage({});
    m_image->setCaption(hint);
    m_cloud->setMarkers(Matrix(), Qt::black, 0);
    m_cloud->setCaption(hint);
}

void SampleGallery::setSamples(const Matrix& samples) {
    m_samples = samples;
    if (!m_dataset) return;
    const QString caption = tr("%1 samples from N(0, I)").arg(samples.cols());
    if (m_dataset->isImage()) {
        const int columns = int(std::ceil(std::sqrt(double(samples.cols()))));
        m_image->setImage(
            app::imageGrid(samples, m_dataset->imageWidth, m_dataset->imageHeight, columns, 1));
        m_image->setCaption(caption);
    } else {
        m_cloud->setMarkers(samples, QColor(255, 140, 0), 3.5);
        m_cloud->setCaption(caption);
    }
}

} // namespace latentlab::gui
