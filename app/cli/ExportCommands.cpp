// export: a trained model as ONNX files or a PyTorch package; import: a PyTorch package's
// checkpoint back into a model file.
#include "Args.h"
#include "Commands.h"
#include "LoadedRun.h"

#include "OnnxExport.h"

#include <QDir>
#include <QFileInfo>
#include <cstdio>

namespace latentlab::cli {

namespace {
std::string modelName(const LoadedRun& run) {
    const QFileInfo source(run.source);
    return (source.isDir() ? source.fileName() : source.dir().dirName()).toStdString();
}
} // namespace

int runExport(const QStringList& args) {
    const Args a(args, {"model", "format", "out"});
    const QString format = a.required("format");
    if (format != "onnx")
        throw UsageError(("--format: unknown '" + format + "' (choose onnx)").toStdString());
    const QString out = a.required("out");
    if (QFileInfo(out).exists() && !QFileInfo(out).isDir())
        throw UsageError((out + ": --out names a folder to write into, and this is a file").toStdString());
    const LoadedRun run = loadRun(a.required("model"));
    exporting::OnnxExport about;
    about.name = modelName(run);
    about.dataset = run.config.dataset.name.toStdString();
    about.version = LATENTLAB_VERSION;
    const std::vector<std::string> written = exporting::writeOnnx(*run.saved.model, about, out.toStdString());
    for (const std::string& path : written) std::printf("wrote %s\n", path.c_str());
    return 0;
}

} // namespace latentlab::cli
