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
    run.saved = loadModel(run.source.toStdString());
    const QString configPath = QFileInfo(run.source).dir().filePath("config.json");
    if (QFileInfo::exists(configPath)) {
        run.config = app::loadConfigFile(configPath);
    } else {
        const auto it = run.saved.metadata.find("dataset");
        if (it != run.saved.metadata.end()) run.config.dataset.name = QString::fromStdString(it->second);
    }
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
    data::Dataset d = app::loadDataset(spec, data::Catalogue());
    app::checkModelFitsData(*run.saved.model, d, run.source);
    return d;
}

bool isImageModel(const LoadedRun& run) {
    return run.imageWidth > 0 && run.imageHeight > 0 &&
           qint64(run.imageWidth) * qint64(run.imageHeight) == qint64(run.saved.model->inputDim());
}

} // namespace latentlab::cli
