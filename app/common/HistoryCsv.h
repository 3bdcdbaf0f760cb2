// Reading back the loss history that app::historyCsv() writes (the CLI's history.csv, and
// the copy the desktop program keeps in a model file's metadata), so an opened model
// shows its loss curves again.
#pragma once

#include "latentlab/TrainingObserver.h"

#include <QByteArray>
#include <vector>

namespace latentlab::app {

// Lenient: the curves are a convenience, so lines that do not parse are skipped rather
// than failing the whole model. An empty validation cell means "no validation".
std::vector<EpochReport> parseHistoryCsv(const QByteArray& csv);

} // namespace latentlab::app
