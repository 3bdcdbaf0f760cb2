// The data a view that evaluates a whole dataset (PCA, anomalies) works on. While the model
// trains it takes an evenly spaced subset (by default 5,000 training and 1,000 test samples,
// trustworthiness on 1,000 of them), small enough to show a result every half minute or so at
// the small share of a core the views get then (a Fashion-MNIST VAE: 0.1-0.2 s of CPU, the
// first one 0.5 s); once training pauses or ends, every sample. Built once per session.
#pragma once

#include "latentlab/Dataset.h"

#include <QString>
#include <memory>

namespace latentlab::gui {

class PreviewData {
public:
    static constexpr int64_t kTrainRows = 5000;
    static constexpr int64_t kTestRows = 1000;
    static constexpr int64_t kTrustSamples = 1000; // trustworthiness costs n^2

    // The session's data; the subset is built here (a copy of its rows) when it is smaller.
    void setDataset(std::shared_ptr<const data::Dataset> full);
    // For tests: other limits (from the next setDataset on).
    void setLimits(int64_t trainRows, int64_t testRows);

    const std::shared_ptr<const data::Dataset>& full() const { return m_full; }
    // The data to evaluate on: the subset while training, when there is one.
    const std::shared_ptr<const data::Dataset>& pick(bool training) const {
        return training && m_subset ? m_subset : m_full;
    }
    bool hasSubset() const { return m_subset != nullptr; }
    // What a figure computed on `data` was computed on, in words, or empty for all of it.
    QString explain(const data::Dataset* data) const;

private:
    int64_t m_trainRows = kTrainRows, m_testRows = kTestRows;
    std::shared_ptr<const data::Dataset> m_full, m_subset;
};

} // namespace latentlab::gui
