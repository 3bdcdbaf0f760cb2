// The one way a view beside the latent plane hears of the training: MainWindow keeps a list
// of these and, for each, passes on every new session, every snapshot, every newer published
// model and whether the view shows. A view added to the window implements this and is
// registered with MainWindow::addView; nothing else needs wiring by hand.
#pragma once

#include "training/Snapshot.h"

#include "latentlab/Model.h"

#include <memory>

namespace latentlab::gui {

class ModelView {
public:
    virtual ~ModelView() = default;

    // A new session (start, reset, a model opened): forget the old model and data.
    virtual void setSession(const SessionInfo& info) = 0;
    // Every snapshot, in order, before setModel for the same snapshot; for views that want
    // more than the model (the codes, the progress).
    virtual void snapshotArrived(const TrainingSnapshot& snapshot) { (void)snapshot; }
    // A newer published model: an immutable clone, safe to read on any thread.
    virtual void setModel(std::shared_ptr<const Model> model) = 0;
    // Whether the view shows (its tab is the current one). Views that compute for every
    // new model do so only while shown, and catch up when shown again.
    virtual void setActive(bool active) { (void)active; }
};

} // namespace latentlab::gui
