// The data a view that evaluates a whole dataset (PCA, anomalies) works on. While the model
// trains it takes an evenly spaced subset (by default 5,000 training and 1,000 test samples,
// trustworthiness on 1,000 of them), small enough to show a result every few seconds' work
// at the small share of a core the views get then; once training pauses or ends, every
// sample. Built once per session.
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
    // Follows the training's state from every snapshot. True when the view should ask for
    // `latest` again, now on pick():
    //   - training just stopped, there is a subset, and the snapshot brings no newer model
    //     (one that does reaches the view's setModel next): the same model on every sample;
    //   - training just started and the view's request made before it (for every sample)
    //     has not started (`requestWaits`: its tab was hidden, or work was under way): the
    //     preview instead; all of Fashion-MNIST took seconds of a core at training's
    //     priority, with the share's pause after it.
    bool askAgain(const TrainingSnapshot& snapshot, const std::shared_ptr<const Model>& latest, bool requestWaits);
    bool training() const { return m_training; }
    // For tests: other limits (from the next setDataset on).
    void setLimits(int64_t trainRows, int64_t testRows);

    const std::shared_ptr<const data::Dataset>& full() const { return m_full; }
    // The data to evaluate on now: the subset while training, when there is one.
    const std::shared_ptr<const data::Dataset>& pick() const { return m_training && m_subset ? m_subset : m_full; }
    bool hasSubset() const { return m_subset != nullptr; }
    // What a figure computed on `data` was computed on, in words, or empty for all of it.
    QString explain(const data::Dataset* data) const;

private:
    int64_t m_trainRows = kTrainRows, m_testRows = kTestRows;
    std::shared_ptr<const data::Dataset> m_full, m_subset;
    bool m_training = false;
};

} // namespace latentlab::gui
