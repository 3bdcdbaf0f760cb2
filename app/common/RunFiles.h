// The files of a run folder. Single files are written atomically (temp file, fsync, rename),
// so an interrupted write never leaves a half file where a good one was; a whole run folder
// is replaced at once by RunFolder (RunFolder.h).
//
//   model.llmodel   the model file (engine/ModelFile.h)
//   config.json     the fully resolved RunConfig
//   history.csv     epoch, train/validation loss and each term, seconds, samples/s, lr, beta
//   latent.csv      index,label,z0,z1,...  for every sample of the dataset
#pragma once

#include "RunConfig.h"

#include "latentlab/Dataset.h"
#include "latentlab/TrainingObserver.h"

#include <QByteArray>
#include <QString>
#include <vector>

namespace latentlab::app {

// Throws FileError naming the path and the system's reason if it cannot be written.
void writeFileAtomic(const QString& path, const QByteArray& bytes);

QByteArray historyCsv(const std::vector<EpochReport>& history);
// index,label,z0,z1,...: a line per column of `codes`; column k is the dataset's row k, or
// rows[k] when `rows` is given (a subset, such as the samples encoded so far).
QByteArray latentCsv(const Matrix& codes, const data::Dataset& dataset, const std::vector<Index>* rows = nullptr);
QByteArray configJson(const RunConfig& config);

// The model file inside a run folder, or the path itself if it is a file.
QString modelPathIn(const QString& dirOrFile);

} // namespace latentlab::app
