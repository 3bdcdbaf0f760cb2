// Keeps the latent codes of every sample up to date without stalling training.
//
// Encoding all 70,000 Fashion-MNIST images takes ~1 s of the training threads, far longer
// than the ~100 ms between two snapshots. So while training, each plane update re-encodes
// only as many samples as fit in a time budget (TrainingSession: a few per cent of the
// training time), walking through a fixed random permutation of the samples: a partial
// sweep refreshes points spread evenly over the whole plane, so the picture moves as a
// whole. When training pauses, the worker finishes the sweep so the plane shows codes of
// one model only (complete()).
#pragma once

#include "latentlab/Batch.h"
#include "latentlab/Model.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace latentlab::gui {

class CodeRefresher {
public:
    // Codes start as NaN (not encoded yet).
    CodeRefresher(Index rows, Index latentDim, uint64_t seed = 1);

    // The model's weights changed: no code is current any more.
    void modelChanged() { m_fresh = 0; }
    // Encodes the next samples of the rotation for about `seconds` (at least one small
    // chunk). Returns how many were encoded.
    Index refresh(const Model& model, const DataView& data, double seconds);
    // Encodes every sample that is not current.
    void refreshAll(const Model& model, const DataView& data);
    bool complete() const { return m_fresh >= m_rows; }
    // Every sample has a code (from some model): none is NaN any more.
    bool allEncoded() const { return m_encoded >= m_rows; }
    // The measured time of the smallest chunk refresh() encodes (0 until measured).
    double secondsPerChunk() const;
    Index rows() const { return m_rows; }

    // A copy of the codes if any changed since the last call, else null. A copy rather
    // than sharing ours: the GUI reads it while we go on writing.
    std::shared_ptr<const Matrix> publish();

private:
    Index encodeChunk(const Model& model, const DataView& data, Index count);

    Index m_rows, m_latentDim;
    std::vector<Index> m_order;
    Index m_cursor = 0;
    Index m_fresh = 0;   // samples encoded since the last modelChanged()
    Index m_encoded = 0; // samples encoded at all (the first sweep walks the permutation once)
    double m_rate = 0;   // samples encoded per second, measured
    Matrix m_codes;
    bool m_dirty = false;
    Matrix m_input, m_output;
};

} // namespace latentlab::gui
