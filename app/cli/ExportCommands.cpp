// export: a trained model as ONNX files or a PyTorch package; import: a PyTorch package's
// checkpoint back into a model file.
#include "Args.h"
#include "Commands.h"

#include "ModelExport.h"
#include "PyTorchExport.h"
#include "RunFiles.h"

#include <QDir>
#include <QFileInfo>
#include <cstdio>

namespace latentlab::cli {

int runExport(const QStringList& args) {
    const Args a(args, {"model", "format", "out", "dataset"});
    exporting::ExportRequest request;
    try {
        request.format = exporting::parseExportFormat(a.required("format"));
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    request.folder = a.required("out");
    if (QFileInfo(request.folder).exists() && !QFileInfo(request.folder).isDir())
        throw UsageError(
            (request.folder + ": --out names a folder to write into, and this is a file")
                .toStdString());
    if (a.has("dataset") && request.format != exporting::ExportFormat::PyTorch)
        throw UsageError("--dataset: only a PyTorch package carries data");
    request.modelFile = app::modelPathIn(a.required("model"));
    if (!QFileInfo::exists(request.modelFile) && !QFileInfo(request.modelFile).isSymLink())
        throw std::runtime_error(
            (request.modelFile + ": no such model file (train one with `latentlab-cli train`)")
                .toStdString());
    request.datasetName = a.value("dataset");
    request.version = LATENTLAB_VERSION;
    const QStringList written = exporting::exportModel(request);
    for (const QString& path : written)
        std::printf("wrote %s\n", qPrintable(path));
    if (request.format == exporting::ExportFormat::PyTorch)
        std::printf("continue training: python3 %s/train.py --epochs N, or on 2 processes:\n"
                    "  torchrun --standalone --redirects 1 --tee 1 --nproc_per_node=2 %s/train.py "
                    "--epochs N\n",
                    qPrintable(request.folder), qPrintable(request.folder));
    return 0;
}

int runImport(const QStringList& args) {
    const Args a(args, {"package", "checkpoint", "out"});
    const QString package = a.required("package");
    const QString out = a.required("out");
    if (!out.endsWith(".llmodel"))
        throw UsageError(
            (out + ": --out names the model file to write, ending in .llmodel").toStdString());
    const exporting::ImportedModel imported =
        exporting::importCheckpoint(package, a.value("checkpoint", package));
    app::writeFileAtomic(out, imported.modelFile);
    std::printf("wrote %s: %d epochs in all, %s\n", qPrintable(out), imported.epochsDone,
                qPrintable(imported.summary));
    return 0;
}

} // namespace latentlab::cli
