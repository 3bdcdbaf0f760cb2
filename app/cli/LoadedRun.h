// A trained model as the commands that use it load it: the model file, the configuration
// it was trained with (the run folder's config.json when there is one) and its data.
#pragma once

#include "Args.h"

#include "RunConfig.h"
#include "TrainedModel.h"

#include "latentlab/Dataset.h"
#include "latentlab/ModelFile.h"

#include <QString>

namespace latentlab::cli {

struct LoadedRun {
    SavedModel saved;
    app::RunConfig config;
    std::vector<EpochReport> history; // the file's, else the history.csv beside it
    QStringList historyProblems;      // lines of such a history.csv that were skipped
    QString source;
    int imageWidth = 0, imageHeight = 0;
};

// From a run folder or a model file (app::openModelFile); throws naming the path when
// there is none.
LoadedRun loadRun(const QString& dirOrFile);
// The run's dataset (or --dataset), loaded as for training, checked to fit the model.
data::Dataset datasetFor(const LoadedRun& run, const Args& a);
// Whether the run's model decodes images (its data's image size, from the file's metadata,
// holds exactly the model's features).
bool isImageModel(const LoadedRun& run);

} // namespace latentlab::cli
