// The sub-commands of latentlab-cli. Each takes the arguments after its name, returns the
// exit status, and throws (UsageError, ConfigFileError, DataError, FileError, ...) for
// anything wrong; main() turns that into one line on stderr and exit status 2.
#pragma once

#include <QStringList>

namespace latentlab::cli {

int runTrain(const QStringList& args);
int runEncode(const QStringList& args);
int runDecode(const QStringList& args);
int runSample(const QStringList& args);
int runEval(const QStringList& args);
int runPlot(const QStringList& args);
int runPresets(const QStringList& args);
int runDatasets(const QStringList& args);
int runBench(const QStringList& args);
int runExport(const QStringList& args);
int runImport(const QStringList& args);

} // namespace latentlab::cli
