#include "latentlab/Geometry.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace latentlab {

namespace {

// The k nearest other columns of every column, nearest first (ties: lower index first).
// Rows of squared distances come from |a|^2 + |b|^2 - 2 a.b in blocks of a fixed size, so
// each row is computed the same way whatever the thread count.
std::vector<Index> nearestNeighbours(const Matrix& x, int k) {
    const Index n = x.cols();
    const Vector norms = x.colwise().squaredNorm().transpose();
    std::vector<Index> out(size_t(n * k));
    constexpr Index kBlock = 256;
    const Index blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(dynamic, 1)
    for (Index b = 0; b < blocks; ++b) {
        const Index begin = b * kBlock, rows = std::min(kBlock, n - begin);
        const Matrix gram = x.middleCols(begin, rows).transpose() * x; // rows x n
        std::vector<std::pair<double, Index>> row(static_cast<size_t>(n));
        for (Index r = 0; r < rows; ++r) {
            const Index i = begin + r;
            for (Index j = 0; j < n; ++j)
                row[size_t(j)] = {j == i ? std::numeric_limits<double>::infinity()
                                         : double(norms[i]) + double(norms[j]) - 2.0 * double(gram(r, j)),
                                  j};
            std::partial_sort(row.begin(), row.begin() + k, row.end());
            for (int m = 0; m < k; ++m) out[size_t(i * k + m)] = row[size_t(m)].second;
        }
    }
    return out;
}

struct Graph {
    std::vector<Index> offsets; // n + 1
    std::vector<Index> targets;
    std::vector<double> lengths;
};

// The symmetric k-NN graph, edges sorted by target within each node.
Graph neighbourGraph(const Matrix& x, int k) {
    const Index n = x.cols();
    const std::vector<Index> nn = nearestNeighbours(x, k);
    std::vector<std::vector<Index>> adjacent(static_cast<size_t>(n));
    for (Index i = 0; i < n; ++i)
        for (int m = 0; m < k; ++m) {
            const Index j = nn[size_t(i * k + m)];
            adjacent[size_t(i)].push_back(j);
            adjacent[size_t(j)].push_back(i);
        }
    Graph g;
    g.offsets.assign(size_t(n + 1), 0);
    for (Index i = 0; i < n; ++i) {
        auto& a = adjacent[size_t(i)];
        std::sort(a.begin(), a.end());
        a.erase(std::unique(a.begin(), a.end()), a.end());
        g.offsets[size_t(i + 1)] = g.offsets[size_t(i)] + Index(a.size());
    }
    g.targets.reserve(size_t(g.offsets.back()));
    g.lengths.reserve(size_t(g.offsets.back()));
    for (Index i = 0; i < n; ++i)
        for (Index j : adjacent[size_t(i)]) {
            g.targets.push_back(j);
            // The edge's exact length, not the block formula's (which cancels).
            g.lengths.push_back((x.col(i).cast<double>() - x.col(j).cast<double>()).norm());
        }
    return g;
}

// Shortest path lengths from `source` to every node: Dijkstra with a binary heap that
// holds each node at most once and moves it up when its distance drops (decrease-key),
// so the heap never grows past the nodes, not the edges.
class PathFinder {
public:
    explicit PathFinder(Index n) : m_position(static_cast<size_t>(n), -1) { m_heap.reserve(static_cast<size_t>(n)); }

    void run(const Graph& g, Index source, std::vector<double>& dist) {
        std::fill(dist.begin(), dist.end(), std::numeric_limits<double>::infinity());
        std::fill(m_position.begin(), m_position.end(), Index(-1));
        m_heap.clear();
        dist[size_t(source)] = 0;
        push(source, dist);
        while (!m_heap.empty()) {
            const Index u = popMin(dist);
            const double du = dist[size_t(u)];
            for (Index e = g.offsets[size_t(u)]; e < g.offsets[size_t(u + 1)]; ++e) {
                const Index v = g.targets[size_t(e)];
                const double nd = du + g.lengths[size_t(e)];
                if (nd < dist[size_t(v)] && m_position[size_t(v)] != -2) {
                    dist[size_t(v)] = nd;
                    if (m_position[size_t(v)] < 0) push(v, dist);
                    else up(size_t(m_position[size_t(v)]), dist);
                }
            }
        }
    }

private:
    bool less(Index a, Index b, const std::vector<double>& d) const {
        return d[size_t(a)] < d[size_t(b)] || (d[size_t(a)] == d[size_t(b)] && a < b);
    }
    void place(size_t i, Index node) {
        m_heap[i] = node;
        m_position[size_t(node)] = Index(i);
    }
    void push(Index node, const std::vector<double>& d) {
        m_heap.push_back(node);
        m_position[size_t(node)] = Index(m_heap.size() - 1);
        up(m_heap.size() - 1, d);
    }
    void up(size_t i, const std::vector<double>& d) {
        const Index node = m_heap[i];
        while (i > 0 && less(node, m_heap[(i - 1) / 2], d)) {
            place(i, m_heap[(i - 1) / 2]);
            i = (i - 1) / 2;
        }
        place(i, node);
    }
    Index popMin(const std::vector<double>& d) {
        const Index top = m_heap.front();
        m_position[size_t(top)] = -2; // settled: never pushed again (its distance is final)
        const Index last = m_heap.back();
        m_heap.pop_back();
        if (!m_heap.empty()) {
            size_t i = 0;
            const size_t n = m_heap.size();
            for (;;) {
                size_t c = 2 * i + 1;
                if (c >= n) break;
                if (c + 1 < n && less(m_heap[c + 1], m_heap[c], d)) ++c;
                if (!less(m_heap[c], last, d)) break;
                place(i, m_heap[c]);
                i = c;
            }
            place(i, last);
        }
        return top;
    }

    std::vector<Index> m_heap;
    std::vector<Index> m_position; // in m_heap; -1 never pushed, -2 settled
};

} // namespace

GeodesicTable geodesicDistances(const Matrix& x, int k) {
    const Index n = x.cols();
    if (n > kMaxGeodesicSamples)
        throw ConfigError("geometry: the geodesic distances of " + std::to_string(n) +
                          " training samples would need " + std::to_string(n * n * 4 / (1 << 20)) +
                          " MiB; at most " + std::to_string(kMaxGeodesicSamples) +
                          " samples (use fewer, or geometry 0)");
    if (k < 1 || Index(k) >= n)
        throw ConfigError("geometryNeighbours: must be between 1 and the training samples - 1 (" +
                          std::to_string(n - 1) + "), got " + std::to_string(k));
    const Graph g = neighbourGraph(x, k);
    GeodesicTable t;
    t.samples = n;
    t.distances.resize(size_t(n * n));
    int64_t unreachable = 0;
#pragma omp parallel reduction(+ : unreachable)
    {
        std::vector<double> dist(static_cast<size_t>(n));
        PathFinder paths(n);
#pragma omp for schedule(dynamic, 16)
        for (Index s = 0; s < n; ++s) {
            paths.run(g, s, dist);
            float* row = t.distances.data() + s * n;
            for (Index j = 0; j < n; ++j) {
                row[j] = float(dist[size_t(j)]);
                if (!std::isfinite(dist[size_t(j)])) ++unreachable;
            }
        }
    }
    t.unreachablePairs = unreachable;
    return t;
}

void batchDistances(const GeodesicTable& table, const Index* samples, Index count, Matrix& out) {
    out.resize(count, count);
    for (Index b = 0; b < count; ++b)
        for (Index a = 0; a < count; ++a) out(a, b) = Scalar(table.at(samples[a], samples[b]));
}

double geometryPenalty(double lambda, const Matrix& z, const Matrix& targets, Matrix* grad) {
    const Index batch = z.cols(), k = z.rows();
    if (lambda <= 0 || batch < 2) return 0.0;
    const Eigen::MatrixXd zd = z.cast<double>();
    // Per pair: the error e = |z_i - z_j| - D_ij and the weight e / |z_i - z_j| of the unit
    // direction in its gradient, 2 (lambda / pairs) e (z_i - z_j) / |z_i - z_j|.
    Eigen::MatrixXd g = grad ? Eigen::MatrixXd::Zero(k, batch) : Eigen::MatrixXd();
    double sum = 0;
    int64_t pairs = 0;
    for (Index j = 1; j < batch; ++j) {
        const double* zj = zd.data() + j * k;
        for (Index i = 0; i < j; ++i) {
            const double target = double(targets(i, j));
            if (!std::isfinite(target)) continue;
            const double* zi = zd.data() + i * k;
            double d2 = 0;
            for (Index r = 0; r < k; ++r) d2 += (zi[r] - zj[r]) * (zi[r] - zj[r]);
            const double d = std::sqrt(d2);
            const double e = d - target;
            sum += e * e;
            ++pairs;
            if (grad) {
                const double w = e / std::max(d, 1e-12);
                double* gi = g.data() + i * k;
                double* gj = g.data() + j * k;
                for (Index r = 0; r < k; ++r) {
                    const double step = w * (zi[r] - zj[r]);
                    gi[r] += step;
                    gj[r] -= step;
                }
            }
        }
    }
    if (pairs == 0) return 0.0;
    const double scale = lambda / double(pairs);
    if (grad) *grad += (2.0 * scale * g).cast<Scalar>();
    return scale * sum;
}

} // namespace latentlab
