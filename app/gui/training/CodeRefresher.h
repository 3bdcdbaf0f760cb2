// Keeps the latent codes of the samples up to date without stalling training, and never
// shows codes of different models side by side.
//
// Encoding all 70,000 Fashion-MNIST images takes ~1 s of the training threads, far longer
// than the time between two plane updates. A plane that re-encoded part of the samples
// with each update would show codes of several models at once: ankle boots both in the
// centre and at the upper left, because half of them still sit where an older model put
// them. So:
//   while training  each update re-encodes a fixed random subset of the samples whole
//                   with the current weights (refreshLive(): all of a small set, a few
//                   thousand of a large one), and only that subset is shown;
//   paused          the worker encodes the rest, in a fixed random order, and the plane
//                   grows to every sample (refresh(), refreshAll()).
// publish() only ever hands out codes encoded since the weights last changed; the others
// are NaN (not shown).
#pragma once

#include "latentlab/Batch.h"
#include "latentlab/Model.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace latentlab::gui {

class CodeRefresher {
public:
    // Codes start as NaN (not encoded yet). `liveSamples`: the size of the subset shown
    // while training (at most `rows`).
    CodeRefresher(Index rows, Index latentDim, uint64_t seed = 1, Index liveSamples = kLiveSamples);

    // Shown while training: enough points for each class of MNIST or Fashion-MNIST to read
    // as a cloud, few enough that within the training share (TrainingSession) fashion-vae's
    // subset is renewed about 1.5 times a second on two cores (`latentlab --perf-report`);
    // the Swiss roll's 3,000 are all of it.
    static constexpr Index kLiveSamples = 3000;

    // The model's weights changed: no code is current any more.
    void modelChanged() {
        m_fresh = 0;
        m_cursor = 0;
    }
    // Encodes the whole live subset with `model`. Returns how many were encoded.
    Index refreshLive(const Model& model, const DataView& data);
    Index liveCount() const { return std::min(m_rows, m_live); }
    // The measured time refreshLive() takes (0 until measured).
    double secondsPerLiveRefresh() const;
    // How many codes publish() would hand out now: the ones encoded since the last change.
    Index freshCount() const { return m_fresh; }
    // Encodes the next samples of the rotation for about `seconds` (at least one small
    // chunk). Returns how many were encoded.
    Index refresh(const Model& model, const DataView& data, double seconds);
    // Encodes every sample that is not current.
    void refreshAll(const Model& model, const DataView& data);
    bool complete() const { return m_fresh >= m_rows; }
    Index rows() const { return m_rows; }

    // A copy of the current codes (those encoded since the weights last changed; the rest
    // NaN) if any were encoded since the last call, else null. A copy rather than sharing
    // ours: the GUI reads it while we go on writing.
    std::shared_ptr<const Matrix> publish();

private:
    Index encodeChunk(const Model& model, const DataView& data, Index count);

    Index m_rows, m_latentDim, m_live;
    std::vector<Index> m_order;
    Index m_cursor = 0;
    Index m_fresh = 0;   // samples encoded since the last modelChanged(): m_order[0, m_fresh)
    double m_rate = 0;   // samples encoded per second, measured
    Matrix m_codes;
    bool m_dirty = false;
    Matrix m_input, m_output;
};

} // namespace latentlab::gui
