// eval --anomaly-class and plot --kind anomaly|roc: a model trained on normal classes
// judged on finding the one it did not see (app/common/AnomalyReport.h).
#pragma once

#include "Args.h"
#include "LoadedRun.h"

#include <QString>

namespace latentlab::cli {

// Prints the report as JSON on stdout; returns the exit status.
int evalAnomaly(const LoadedRun& run, const Args& a);
// kind "anomaly": the histograms of test errors with the threshold; "roc": the ROC curve.
void plotAnomaly(const QString& out, const QString& kind, const LoadedRun& run, const Args& a);

} // namespace latentlab::cli
