#include "training/CodeRefresher.h"

#include "latentlab/Random.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace latentlab::gui {

namespace {
constexpr Index kMinChunk = 64;
}

CodeRefresher::CodeRefresher(Index rows, Index latentDim, uint64_t seed, Index liveSamples)
    : m_rows(rows), m_latentDim(latentDim), m_live(std::max<Index>(1, liveSamples)),
      m_codes(Matrix::Constant(latentDim, rows, std::numeric_limits<Scalar>::quiet_NaN())) {
    m_order.resize(size_t(rows));
    for (Index i = 0; i < rows; ++i) m_order[size_t(i)] = i;
    Rng rng(seed);
    for (size_t i = m_order.size(); i > 1; --i) std::swap(m_order[i - 1], m_order[size_t(rng.below(i))]);
}

Index CodeRefresher::encodeChunk(const Model& model, const DataView& data, Index count) {
    count = std::min(count, m_rows - m_cursor);
    if (count <= 0) return 0;
    gatherBatch(data, model.normalizer(), m_order.data() + m_cursor, count, m_input);
    model.encode(m_input, m_output);
    for (Index i = 0; i < count; ++i) m_codes.col(m_order[size_t(m_cursor + i)]) = m_output.col(i);
    m_cursor = (m_cursor + count) % m_rows;
    m_fresh = std::min(m_rows, m_fresh + count);
    m_dirty = true;
    return count;
}

Index CodeRefresher::refresh(const Model& model, const DataView& data, double seconds) {
    if (m_rows == 0) return 0;
    const Index wanted = m_rate > 0 ? Index(m_rate * seconds) : 4 * kMinChunk;
    const Index count = std::clamp<Index>(wanted, kMinChunk, m_rows);
    const auto start = std::chrono::steady_clock::now();
    Index done = 0;
    while (done < count) {
        const Index n = encodeChunk(model, data, count - done);
        if (n == 0) break;
        done += n;
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed > 1e-5) m_rate = double(done) / elapsed;
    return done;
}

Index CodeRefresher::refreshLive(const Model& model, const DataView& data) {
    const Index n = liveCount();
    if (n == 0) return 0;
    modelChanged(); // whatever was fresh, the subset is encoded again from its start
    const auto start = std::chrono::steady_clock::now();
    while (m_fresh < n)
        if (encodeChunk(model, data, n - m_fresh) == 0) break;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed > 1e-5) m_rate = double(n) / elapsed;
    return n;
}

double CodeRefresher::secondsPerLiveRefresh() const { return m_rate > 0 ? double(liveCount()) / m_rate : 0.0; }

void CodeRefresher::refreshAll(const Model& model, const DataView& data) {
    while (!complete()) encodeChunk(model, data, std::min<Index>(4096, m_rows - m_fresh));
}

std::shared_ptr<const Matrix> CodeRefresher::publish() {
    if (!m_dirty) return nullptr;
    m_dirty = false;
    if (complete()) return std::make_shared<const Matrix>(m_codes);
    // Codes of an older model stay out of the picture.
    auto out = std::make_shared<Matrix>(Matrix::Constant(m_latentDim, m_rows, std::numeric_limits<Scalar>::quiet_NaN()));
    for (Index i = 0; i < m_fresh; ++i) out->col(m_order[size_t(i)]) = m_codes.col(m_order[size_t(i)]);
    return out;
}

} // namespace latentlab::gui
