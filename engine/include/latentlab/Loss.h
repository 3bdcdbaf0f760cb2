// Loss functions on features x batch matrices. Every loss is summed over features and
// averaged over the samples of the batch, so values are "per sample" and comparable
// across batch sizes. Each returns the loss and, if grad is given, writes dLoss/dInput.
#pragma once

#include "latentlab/Types.h"

#include <string>

namespace latentlab {

enum class ReconstructionLoss { Mse, Bce };

// L = (1/B) sum_ij (y_ij - t_ij)^2        dL/dy = 2 (y - t) / B
Scalar mseLoss(const Matrix& prediction, const Matrix& target, Matrix* grad);

// Binary cross-entropy from logits x (the sigmoid is inside the loss, never materialised):
//   l(x, t) = max(x, 0) - x t + log(1 + e^-|x|)   (= -t log s(x) - (1-t) log(1 - s(x)))
//   L = (1/B) sum_ij l(x_ij, t_ij)         dL/dx = (s(x) - t) / B
// Stable for any x: no exp of a positive number is taken.
Scalar bceWithLogitsLoss(const Matrix& logits, const Matrix& target, Matrix* grad);

// KL( N(mu, diag(e^lv)) || N(0, I) ) = -1/2 sum_j (1 + lv_j - mu_j^2 - e^lv_j), batch mean.
//   dKL/dmu = mu / B        dKL/dlv = (e^lv - 1) / (2B)
Scalar gaussianKl(const Matrix& mu, const Matrix& logVar, Matrix* gradMu, Matrix* gradLogVar);

// Reconstruction loss of the chosen kind; `output` is the decoder's raw output (logits
// for Bce). Per-sample values (not averaged) go to perSample when given.
Scalar reconstructionLoss(ReconstructionLoss kind, const Matrix& output, const Matrix& target,
                          Matrix* grad);
RowVector reconstructionLossPerSample(ReconstructionLoss kind, const Matrix& output,
                                      const Matrix& target);

std::string lossName(ReconstructionLoss kind);
ReconstructionLoss parseLoss(const std::string& name); // "mse" | "bce", else ConfigError

} // namespace latentlab
