// What the GUI computes itself from a published decoder snapshot: decoding one point,
// drawing codes from the prior, turning a sample into a picture. Every decode runs on the
// calling thread alone (SingleThreaded), so the GUI thread never starts OpenMP threads to
// compete with training for the cores, however large the decoder.
#pragma once

#include "latentlab/LatentGrid.h" // meanCode

#include "latentlab/Dataset.h"
#include "latentlab/Model.h"

#include <QImage>
#include <cstdint>
#include <vector>

namespace latentlab::gui {

// The decoder's output for code z, in the data's own units (0..255 pixels, coordinates).
Vector decodeToData(const Model& model, const Vector& z);
// decodeToData for every column of z (latentDim x n), giving features x n. The columns are
// decoded together, up to kDecodeColumns at a time: one product per layer and block, not
// a product per column that reads every weight again (the prior gallery's 64 samples of
// fashion-vae's decoder took several times as long one column at a time).
constexpr Index kDecodeColumns = 256;
Matrix decodeColumns(const Model& model, const Matrix& z);

// count codes from N(0, I), latentDim x count, reproducible from seed.
Matrix samplePrior(Index latentDim, int count, uint64_t seed);

// The full code for a point of the plane: `base` with dimension dimX set to x and (if
// dimY >= 0) dimY set to y. The other dimensions stay at base (the codes' mean for an
// autoencoder, 0 for a VAE).
Vector planePoint(const Vector& base, int dimX, int dimY, double x, double y);

// Sample `row` as an image (app::greyImage, the one way images are drawn).
QImage sampleImage(const data::Dataset& dataset, Index row);

// Denoising at inference: samples, the same with Gaussian noise of standard deviation
// noise * peak added (clipped to [0, peak]), and the model's reconstructions of the noisy
// ones, all features x rows in the data's units; and the PSNR of noisy and restored
// against the clean samples over all of them. The noise is reproducible from seed.
struct Denoised {
    Matrix clean, noisy, restored;
    double noisyPsnr = 0, restoredPsnr = 0;
};
Denoised denoiseSamples(const Model& model, const data::Dataset& dataset, const std::vector<Index>& rows,
                        double noise, double peak, uint64_t seed);

} // namespace latentlab::gui
