#include "views/output/ReconstructionStrip.h"

#include "PlotRenderer.h"
#include "training/Decoding.h"
#include "views/output/ImageView.h"
#include "views/output/PointCloudView.h"

namespace latentlab::gui {

ReconstructionStrip::ReconstructionStrip(QWidget* parent)
    : DataOutputView(
          tr("Samples the model does not train on (the test part, when there is one) beside their "
             "reconstructions, refreshed live."),
          parent) {}

void ReconstructionStrip::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
    m_current.reset();
    const bool image = m_dataset && m_dataset->isImage();
    showImages(image);
    m_image->setImage({});
    m_cloud->setDataset(image ? nullptr : m_dataset.get());
}

void ReconstructionStrip::setReconstructions(const std::shared_ptr<const Reconstructions>& r) {
    if (!r || r == m_current || !m_dataset || r->inputs.cols() == 0) return; // same as shown
    m_current = r;
    if (m_dataset->isImage()) {
        const Index n = r->inputs.cols();
        Matrix both(r->inputs.rows(), 2 * n);
        both << r->inputs, r->outputs;
        m_image->setImage(
            app::imageGrid(both, m_dataset->imageWidth, m_dataset->imageHeight, int(n), 1));
        m_image->setCaption(tr("top: inputs · bottom: reconstructions"));
    } else {
        m_cloud->setPairs(r->inputs, r->outputs);
        m_cloud->setCaption(tr("%1 test samples → reconstructions (red)").arg(r->inputs.cols()));
    }
}

} // namespace latentlab::gui
