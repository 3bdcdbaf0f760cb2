// Codes on a regular grid over two latent dimensions: what the decoded-manifold view and
// `latentlab-cli plot --kind grid` decode. For an autoencoder the grid spans a box of the
// plane evenly; for a VAE it is spaced by the prior's inverse CDF, so that every cell holds
// the same share of N(0, 1) along each axis (Kingma & Welling's figure of the MNIST
// manifold).
#pragma once

#include "latentlab/Types.h"

namespace latentlab {

// The standard normal's quantile Phi^-1(p), p in (0, 1), to double precision (bisection on
// Phi(x) = erfc(-x / sqrt 2) / 2). ConfigError outside (0, 1).
double normalQuantile(double p);

struct LatentGridSpec {
    int steps = 15;          // cells per axis (2..64)
    int dimX = 0, dimY = 1;  // the two latent dimensions spanned
    bool gaussian = false;   // VAE: coordinates Phi^-1((i + 0.5) / steps) * spread
    double spread = 1.0;     // gaussian: the prior's standard deviations per unit
    double xMin = -1, xMax = 1, yMin = -1, yMax = 1; // linear: the box (cell centres inside)

    void validate(Index latentDim) const; // ConfigError naming the field
};

// Coordinate i (0..steps-1) along an axis: the centre of cell i, linear in [lo, hi] or at
// the prior quantile (i + 0.5) / steps.
double gridCoordinate(const LatentGridSpec& spec, int i, double lo, double hi);

// An autoencoder's box (its codes have no prior): along dimX and dimY, from the `tail` to
// the 1 - tail quantile (nearest rank) of the finite codes, widened to a positive size if
// they are all equal. False, spec unchanged, when fewer than two codes are finite.
bool fitGridBox(LatentGridSpec& spec, const Matrix& codes, double tail = 0.01);

// The mean of the finite columns of codes (zero if there are none): where a grid or a
// decoded point keeps the dimensions it does not span.
Vector meanCode(const Matrix& codes);

// latentDim x steps^2 codes, the other dimensions at `base`; column r * steps + c is row
// r (from the top: largest y first, as a plot reads) and column c (smallest x first).
Matrix gridCodes(const LatentGridSpec& spec, const Vector& base);

// `steps` codes from a to b (both ends included), as the columns of a latentDim x steps
// matrix. Linear: a + t (b - a). Spherical (slerp, for a VAE, whose codes live near a
// sphere of radius sqrt(latentDim) under the prior): along the great circle, the norm
// moving from |a| to |b| linearly; a and b (nearly) parallel or one of them zero fall
// back to linear. t = i / (steps - 1). ConfigError for steps < 2 or sizes that differ.
Matrix interpolateCodes(const Vector& a, const Vector& b, int steps, bool spherical);

} // namespace latentlab
