#include "latentlab/Geometry.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
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

// Shortest path lengths from `source` to every node (Dijkstra with a binary heap).
void shortestPaths(const Graph& g, Index source, std::vector<double>& dist) {
    using Entry = std::pair<double, Index>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
    std::fill(dist.begin(), dist.end(), std::numeric_limits<double>::infinity());
    dist[size_t(source)] = 0;
    heap.push({0.0, source});
    while (!heap.empty()) {
        const auto [d, u] = heap.top();
        heap.pop();
        if (d > dist[size_t(u)]) continue; // an outdated entry
        for (Index e = g.offsets[size_t(u)]; e < g.offsets[size_t(u + 1)]; ++e) {
            const Index v = g.targets[size_t(e)];
            const double nd = d + g.lengths[size_t(e)];
            if (nd < dist[size_t(v)]) {
                dist[size_t(v)] = nd;
                heap.push({nd, v});
            }
        }
    }
}

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
#pragma omp for schedule(dynamic, 16)
        for (Index s = 0; s < n; ++s) {
            shortestPaths(g, s, dist);
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
    const Index batch = z.cols();
    if (lambda <= 0 || batch < 2) return 0.0;
    // Per pair: the error e = |z_i - z_j| - D_ij and the weight e / |z_i - z_j| of the unit
    // direction in its gradient, 2 (lambda / pairs) e (z_i - z_j) / |z_i - z_j|.
    std::vector<double> weights(grad ? size_t(batch * batch) : 0, 0.0);
    double sum = 0;
    int64_t pairs = 0;
    for (Index j = 1; j < batch; ++j)
        for (Index i = 0; i < j; ++i) {
            const double target = double(targets(i, j));
            if (!std::isfinite(target)) continue;
            const double d = (z.col(i).cast<double>() - z.col(j).cast<double>()).norm();
            const double e = d - target;
            sum += e * e;
            ++pairs;
            if (grad) weights[size_t(i * batch + j)] = weights[size_t(j * batch + i)] = e / std::max(d, 1e-12);
        }
    if (pairs == 0) return 0.0;
    const double scale = lambda / double(pairs);
    if (grad) {
        for (Index i = 0; i < batch; ++i) {
            Eigen::VectorXd g = Eigen::VectorXd::Zero(z.rows());
            for (Index j = 0; j < batch; ++j) {
                const double w = weights[size_t(i * batch + j)];
                if (w != 0.0) g += w * (z.col(i).cast<double>() - z.col(j).cast<double>());
            }
            grad->col(i) += (2.0 * scale * g).cast<Scalar>();
        }
    }
    return scale * sum;
}

} // namespace latentlab
