// One way to export a model file, for the CLI's `export` and the window's File > Export
// model: the file is opened as `train --resume` opens it, so both write the same package.
#pragma once

#include "latentlab/Dataset.h"

#include <QString>
#include <QStringList>

namespace latentlab::exporting {

enum class ExportFormat { Onnx, PyTorch };
// "onnx" | "pytorch"; std::invalid_argument naming the choices otherwise.
ExportFormat parseExportFormat(const QString& name);

struct ExportRequest {
    QString modelFile; // a .llmodel
    ExportFormat format = ExportFormat::Onnx;
    QString folder; // created if missing
    QString name;   // recorded in the files; empty: the model file's folder's name
    // PyTorch: the data it trained on, when the caller has it; else loaded from the file's
    // configuration (or `datasetName` instead) and checked to be the same data.
    const data::Dataset* dataset = nullptr;
    QString datasetName;
    QString version; // of Latent Lab
};

// The files written. Throws (std::runtime_error and the app's errors) naming what is wrong:
// the model file, the data it needs, a folder that cannot be written.
QStringList exportModel(const ExportRequest& request);

} // namespace latentlab::exporting
