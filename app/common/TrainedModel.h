// The one writer and the one reader of model files for both front-ends: the CLI's run
// folders and `train --resume`, the window's Save, Open and recovery. Either opens what
// the other wrote, and training continues exactly where it stopped (the trainer's position
// is in the file; engine/TrainerPosition.h).
#pragma once

#include "Experiment.h"
#include "RunConfig.h"

#include "latentlab/ModelFile.h"
#include "latentlab/Trainer.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <map>
#include <string>
#include <vector>

namespace latentlab::app {

// CRC-32 of the samples and labels, so that a resumed run can tell that its data is not
// the data it was trained on.
uint32_t datasetChecksum(const data::Dataset& dataset);

// The model file's bytes: the model, the optimiser's state and the trainer's position;
// as metadata the experiment's (dataset name, source, size and checksum, preset,
// multiply), the resolved configuration with the live learning rate and beta, the epochs
// and steps trained and the history as CSV (for other tools; the position holds it
// exactly). `extra` adds a front-end's own entries (the window's marks of hyperparameter
// changes, a CLI run's "stopped").
QByteArray modelFileBytes(const Experiment& experiment, Model& model, const Trainer& trainer,
                          const std::map<std::string, std::string>& extra = {});

struct OpenedModel {
    QString path;
    SavedModel saved;
    RunConfig config; // as trained: the architecture and optimiser always the file's
    std::vector<EpochReport> history;
    QStringList historyProblems; // lines of an older file's history.csv that were skipped
    // What the file says of its training so far when it holds no position (older files):
    // the epochs done, else -1 (then counted from the optimiser's steps).
    int epochsDone = -1;
};

// Reads a model file. Its configuration comes from the file's metadata, else a
// config.json beside it, else the file's architecture and dataset name (if any); its history from
// the saved position, else the metadata's history.csv, else a history.csv beside it.
// Throws FileError or ConfigFileError naming the file.
OpenedModel openModelFile(const QString& path);

// ConfigFileError naming the file when it does not say which dataset it was trained on
// (no configuration, no config.json beside it, no dataset name).
void requireDataset(const OpenedModel& opened);

// FileError naming the file when `dataset` is not the data it was trained on (another
// number of samples or features, or another checksum when the file has one).
void checkSameData(const OpenedModel& opened, const data::Dataset& dataset);

// Puts a trainer of the opened model where its training stood: the optimiser's state,
// then the saved position (exact), else, for a file without one, its epochs, steps and
// history with a fresh sample order. Throws FileError naming the file.
void continueTraining(Trainer& trainer, Model& model, const OpenedModel& opened);

} // namespace latentlab::app
