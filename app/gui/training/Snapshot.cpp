#include "training/Snapshot.h"

#include <algorithm>

namespace latentlab::gui {

QString runStateName(RunState state) {
    switch (state) {
    case RunState::Loading: return QStringLiteral("loading");
    case RunState::Ready: return QStringLiteral("ready");
    case RunState::Running: return QStringLiteral("training");
    case RunState::Paused: return QStringLiteral("paused");
    case RunState::Finished: return QStringLiteral("finished");
    case RunState::Failed: return QStringLiteral("stopped: loss not finite");
    }
    return {};
}

double Progress::fraction() const {
    if (epochs <= 0) return 0;
    const double perEpoch = batchesPerEpoch > 0 ? double(batch) / double(batchesPerEpoch) : 0;
    return std::clamp((double(epoch) + perEpoch) / double(epochs), 0.0, 1.0);
}

} // namespace latentlab::gui
