// The data a view that evaluates a whole dataset (PCA, anomalies) works on. Work that starts
// while the model trains takes an evenly spaced subset (by default 5,000 training and 1,000
// test samples, trustworthiness on 1,000 of them), small enough to show a result every few
// seconds' work at the small share of a core the views get then; work that starts while
// training pauses or has ended, every sample. Built once per session.
#pragma once

#include "training/Snapshot.h"

#include "latentlab/Dataset.h"
#include "latentlab/Model.h"

#include <QString>
#include <memory>

namespace latentlab::gui {

class PreviewData {
public:
    static constexpr int64_t kTrainRows = 5000;
    static constexpr int64_t kTestRows = 1000;
    static constexpr int64_t kTrustSamples = 1000; // trustworthiness costs n^2

    // The session's data; the subset is built here (a copy of its rows) when it is smaller.
    // Training counts as stopped until a snapshot says otherwise.
    void setDataset(std::shared_ptr<const data::Dataset> full);
    // Follows the training's state from every snapshot. True when training just stopped,
    // there is a subset, and the snapshot brings no newer model (one that does reaches the
    // view's setModel next): the view should ask for `latest` again, on every sample.
    bool askAgain(const TrainingSnapshot& snapshot, const std::shared_ptr<const Model>& latest);
    // For tests: other limits (from the next setDataset on).
    void setLimits(int64_t trainRows, int64_t testRows);

    // What a request captures (the work runs on a pool thread, and a new session replaces
    // both): the data, the subset or null when there is none, and whether the last
    // snapshot said training ran when the view asked.
    struct Sets {
        std::shared_ptr<const data::Dataset> full, subset;
        bool askedWhileTraining = false;
        // The subset, when there is one, if training ran when the view asked or when the
        // work started (LatestTask::startedWhileTraining), else every sample:
        //   - a request made just before training started, which waited for earlier work,
        //     took all of Fashion-MNIST (about 23 s of a core) at training's priority once
        //     it started under the share;
        //   - a request made while training, which waited for the share's pause, starts
        //     at once when training stops (the share is lifted before the last snapshot
        //     arrives): it stays the preview, and askAgain() then asks for every sample.
        const std::shared_ptr<const data::Dataset>& forWork() const;
        const std::shared_ptr<const data::Dataset>& pick(bool training) const {
            return training && subset ? subset : full;
        }
    };
    Sets sets() const { return {m_full, m_subset, m_training}; }
    const std::shared_ptr<const data::Dataset>& full() const { return m_full; }
    bool hasSubset() const { return m_subset != nullptr; }
    // What a figure computed on `data` was computed on, in words, or empty for all of it.
    QString explain(const data::Dataset* data) const;

private:
    int64_t m_trainRows = kTrainRows, m_testRows = kTestRows;
    std::shared_ptr<const data::Dataset> m_full, m_subset;
    bool m_training = false; // as the last snapshot said
};

} // namespace latentlab::gui
