// The plots a training run leaves in its folder.
#pragma once

#include "PlotRenderer.h"

#include "latentlab/Dataset.h"
#include "latentlab/TrainingObserver.h"

#include <QByteArray>
#include <QString>
#include <vector>

namespace latentlab::cli {

// latent.png: the first two latent dimensions (z0 against the label for a 1-D code).
QByteArray latentPlotPng(const Matrix& codes, const data::Dataset& dataset, const QString& title);
// loss.png: the loss curves of the run.
QByteArray lossPlotPng(const std::vector<EpochReport>& history, const QString& title);

class Args;
// The page of `plot`'s output: --size WxH (points) and --dpi N (PNG only), else `fallback`
// at PlotPage::kDefaultDpi. UsageError naming the option if either is malformed or out of
// range.
app::PlotPage plotPage(const Args& args, QSizeF fallback);

} // namespace latentlab::cli
