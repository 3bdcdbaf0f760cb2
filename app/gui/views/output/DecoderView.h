// What the decoder makes of a point of the latent plane: an image for image data, else
// the decoded point against the data (a rotatable 3-D view for the Swiss roll).
#pragma once

#include "training/Snapshot.h"

#include "views/output/DataOutputView.h"

namespace latentlab::gui {

class DecoderView : public DataOutputView {
    Q_OBJECT

public:
    explicit DecoderView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info);
    // z: the full code; output: the decoder's output for it in the data's units.
    void showDecoded(const Vector& z, const Vector& output);
    bool hasPoint() const { return m_z.size() > 0; }
    const Vector& lastCode() const { return m_z; }
    const Vector& lastOutput() const { return m_output; }

private:
    std::shared_ptr<const data::Dataset> m_dataset;
    Vector m_z, m_output;
};

} // namespace latentlab::gui
