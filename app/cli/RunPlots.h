// The plots a training run leaves in its folder.
#pragma once

#include "latentlab/Dataset.h"
#include "latentlab/TrainingObserver.h"

#include <QString>
#include <vector>

namespace latentlab::cli {

// latent.png: the first two latent dimensions (z0 against the label for a 1-D code).
void writeLatentPlot(const QString& path, const Matrix& codes, const data::Dataset& dataset,
                     const QString& title);
void writeLossPlot(const QString& path, const std::vector<EpochReport>& history, const QString& title);

} // namespace latentlab::cli
