// A few samples beside their reconstructions, refreshed with every snapshot: inputs on
// the top row and reconstructions below for images; for point data, each input joined
// to its reconstruction by a red segment.
#pragma once

#include "training/Snapshot.h"

#include "views/output/DataOutputView.h"

namespace latentlab::gui {

class ReconstructionStrip : public DataOutputView {
    Q_OBJECT

public:
    explicit ReconstructionStrip(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info);
    void setReconstructions(const std::shared_ptr<const Reconstructions>& r);
    const std::shared_ptr<const Reconstructions>& reconstructions() const { return m_current; }

private:
    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const Reconstructions> m_current;
};

} // namespace latentlab::gui
