#include "ModelExport.h"

#include "Experiment.h"
#include "OnnxExport.h"
#include "PyTorchExport.h"
#include "RunFiles.h"
#include "TrainedModel.h"

#include "latentlab/Catalogue.h"
#include "latentlab/TrainerPosition.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <optional>
#include <stdexcept>

namespace latentlab::exporting {

ExportFormat parseExportFormat(const QString& name) {
    if (name == "onnx") return ExportFormat::Onnx;
    if (name == "pytorch") return ExportFormat::PyTorch;
    throw std::invalid_argument(
        ("--format: unknown '" + name + "' (choose onnx or pytorch)").toStdString());
}

QStringList exportModel(const ExportRequest& r) {
    if (QFileInfo(r.folder).exists() && !QFileInfo(r.folder).isDir())
        throw std::runtime_error(
            (r.folder + ": names a folder to write into, and this is a file").toStdString());
    app::OpenedModel opened = app::openModelFile(r.modelFile);
    const QString name = r.name.isEmpty() ? QFileInfo(r.modelFile).absoluteDir().dirName() : r.name;
    if (r.format == ExportFormat::Onnx) {
        OnnxExport about{name.toStdString(), opened.config.dataset.name.toStdString(),
                         r.version.toStdString()};
        QStringList written;
        for (const std::string& path :
             writeOnnx(*opened.saved.model, about, r.folder.toStdString()))
            written << QString::fromStdString(path);
        return written;
    }
    std::optional<data::Dataset> loaded;
    const data::Dataset* dataset = r.dataset;
    if (!dataset) {
        app::DatasetSpec spec = opened.config.dataset;
        if (!r.datasetName.isEmpty())
            spec.name = r.datasetName;
        else
            app::requireDataset(opened);
        loaded = app::loadDataset(spec, data::Catalogue());
        app::checkModelFitsData(*opened.saved.model, *loaded, r.modelFile);
        if (r.datasetName.isEmpty()) app::checkSameData(opened, *loaded);
        dataset = &*loaded;
    }
    QFile file(r.modelFile);
    if (!file.open(QIODevice::ReadOnly))
        throw std::runtime_error((r.modelFile + ": " + file.errorString()).toStdString());
    PyTorchPackage package;
    package.name = name;
    package.model = opened.saved.model.get();
    package.modelFile = file.readAll();
    package.config = opened.config;
    package.dataset = dataset;
    package.history = opened.history;
    package.epochsDone = opened.saved.position    ? opened.saved.position->epoch
                         : opened.epochsDone >= 0 ? opened.epochsDone
                         : opened.history.empty() ? 0
                                                  : opened.history.back().epoch;
    return writePyTorchPackage(package, r.folder);
}

} // namespace latentlab::exporting
