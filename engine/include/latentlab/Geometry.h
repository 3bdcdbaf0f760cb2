// Geometry regularisation: latent distances pulled toward geodesic distances of the data.
//
// A plain autoencoder keeps neighbours together but has no reason to lay a curved sheet
// (the Swiss roll) out flat. Isomap's idea gives the flat layout: on a graph joining every
// sample to its k nearest neighbours, the shortest path between two samples follows the
// sheet, so its length is the distance a flat map should show. Geometry-regularised
// autoencoders (GRAE) add such a target to the reconstruction loss. Here the target is the
// geodesic distance itself: for a mini-batch with codes z_1..z_B,
//
//   penalty = lambda * mean over pairs i < j of ( |z_i - z_j| - D_ij )^2
//
// where D_ij is the graph distance between the two training samples (pairs the graph does
// not join are left out). Distances are in the normalised units the model sees.
#pragma once

#include "latentlab/Types.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace latentlab {

// The largest training set the table is built for: it holds n^2 floats (256 MiB at the
// limit).
constexpr Index kMaxGeodesicSamples = 8192;

struct GeodesicTable {
    Index samples = 0;
    std::vector<float> distances; // samples^2, row-major; +infinity where no path joins them
    int64_t unreachablePairs = 0; // ordered pairs (i, j), i != j, with no path

    float at(Index i, Index j) const { return distances[size_t(i * samples + j)]; }
};

// Geodesic distances between the columns of `x` (features x n, n <= kMaxGeodesicSamples)
// along the symmetric k-nearest-neighbour graph with Euclidean edge lengths: j is joined
// to i when it is among i's k nearest or i among j's (ties broken by the lower index).
// Deterministic and independent of the thread count. ConfigError for k < 1, k >= n or
// n > kMaxGeodesicSamples.
GeodesicTable geodesicDistances(const Matrix& x, int k);

// The pair targets of one mini-batch: D(a, b) = table.at(samples[a], samples[b]).
void batchDistances(const GeodesicTable& table, const Index* samples, Index count, Matrix& out);

// The penalty above for codes z (latentDim x B) and targets (B x B; non-finite entries
// are left out); its gradient with respect to z is added to *grad when given.
double geometryPenalty(double lambda, const Matrix& z, const Matrix& targets, Matrix* grad);

} // namespace latentlab
