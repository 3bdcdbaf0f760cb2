// Decoded samples of a VAE's prior N(0, I): a grid of images, or for point data the
// samples drawn against the data.
#pragma once

#include "training/Snapshot.h"

#include "views/output/DataOutputView.h"

namespace latentlab::gui {

class SampleGallery : public DataOutputView {
    Q_OBJECT

public:
    explicit SampleGallery(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info);
    // samples: features x n in the data's units.
    void setSamples(const Matrix& samples);
    void clear();
    int sampleCount() const { return int(m_samples.cols()); }
    const Matrix& samples() const { return m_samples; }

private:
    std::shared_ptr<const data::Dataset> m_dataset;
    Matrix m_samples;
    bool m_vae = false;
};

} // namespace latentlab::gui
