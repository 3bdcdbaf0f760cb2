#include "LoadedRun.h"

#include "Experiment.h"
#include "RunFiles.h"

#include <QDir>
#include <QFileInfo>
#include <stdexcept>

namespace latentlab::cli {

LoadedRun loadRun(const QString& dirOrFile) {
    LoadedRun run;
    run.source = app::modelPathIn(dirOrFile);
    // A dangling link or a link loop is not "no such file": loading names what it is.
    if (!QFileInfo::exists(run.source) && !QFileInfo(run.source).isSymLink())
        throw std::runtime_error((run.source + ": no such model file (train one with `latentlab-cli train`)").toStdString());
    app::OpenedModel opened = app::openModelFile(run.source);
    run.saved = std::move(opened.saved);
    run.config = std::move(opened.config);
    run.history = std::move(opened.history);
    run.historyProblems = std::move(opened.historyProblems);
    // Image sizes from the file's metadata, each 1..65535 (anything else: not images).
    auto meta = [&](const char* key) {
        const auto it = run.saved.metadata.find(key);
        if (it == run.saved.metadata.end()) return 0;
        bool ok = false;
        const int v = QString::fromStdString(it->second).toInt(&ok);
        return ok && v > 0 && v <= 65535 ? v : 0;
    };
    run.imageWidth = meta("dataset.imageWidth");
    run.imageHeight = meta("dataset.imageHeight");
    return run;
}

data::Dataset datasetFor(const LoadedRun& run, const Args& a) {
    app::DatasetSpec spec = run.config.dataset;
    if (a.has("dataset")) spec.name = a.value("dataset");
    if (spec.name.isEmpty())
        throw app::ConfigFileError((run.source + ": the file does not say which dataset the model was trained on; "
                                                 "name it with --dataset").toStdString());
    data::Dataset d = app::loadDataset(spec, data::Catalogue());
    app::checkModelFitsData(*run.saved.model, d, run.source);
    return d;
}

bool isImageModel(const LoadedRun& run) {
    return run.imageWidth > 0 && run.imageHeight > 0 &&
           qint64(run.imageWidth) * qint64(run.imageHeight) == qint64(run.saved.model->inputDim());
}

} // namespace latentlab::cli
