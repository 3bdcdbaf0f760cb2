// Reading back the loss history that app::historyCsv() writes (the CLI's history.csv, and
// the copy the desktop program keeps in a model file's metadata), so an opened model
// shows its loss curves again.
#pragma once

#include "latentlab/TrainingObserver.h"

#include <QByteArray>
#include <QStringList>
#include <vector>

namespace latentlab::app {

// Columns are read by their names in the header line (epoch and train_loss needed; the
// others may be missing, then 0; unknown ones are ignored). Lenient: the curves
// are a convenience, so a line that does not parse (another number of fields than the
// header's, a cell that is not a number) is skipped rather than failing the whole model,
// and said in `problems` ("line 7: ..."). An empty validation cell means "no validation".
std::vector<EpochReport> parseHistoryCsv(const QByteArray& csv, QStringList* problems = nullptr);

} // namespace latentlab::app
