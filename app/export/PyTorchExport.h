// A trained model as a small PyTorch package, and its checkpoint back as a model file.
//
// The package (a folder) holds:
//   model.json            the architecture layer by layer with each layer's shapes, the
//                         objective (loss, beta, sparsity, geometry), the optimiser's
//                         settings, the epochs done and the history
//   weights.safetensors   the parameters under our names ("encoder.3.weight"), in
//                         PyTorch's layouts, and the normalisation ("normalizer.shift",
//                         "normalizer.scale")
//   data.safetensors      the training data as trained, split into "train" and
//                         "validation" as the trainer splits it (data units; bytes stay U8)
//   latentlab_model.py    the model as torch.nn modules, built from model.json
//   train.py              continues training the same objective, on one process or under
//                         torchrun with DistributedDataParallel
//   model.llmodel         the model file it came from, which `import` completes
//   README.md             how to use it
// safetensors is the format of Hugging Face's library of that name: a little-endian u64
// header length, a JSON header naming each tensor's dtype, shape and byte range, the bytes.
#pragma once

#include "RunConfig.h"

#include "latentlab/Dataset.h"
#include "latentlab/Model.h"
#include "latentlab/TrainingObserver.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>
#include <vector>

namespace latentlab::exporting {

struct PyTorchPackage {
    QString name; // the run's name
    const Model* model = nullptr;
    QByteArray modelFile;                   // the .llmodel bytes it was read from
    app::RunConfig config;                  // as trained
    const data::Dataset* dataset = nullptr; // as trained (a held-out class already left out)
    std::vector<EpochReport> history;
    int epochsDone = 0;
};

// Writes the package into `folder` (created if missing; each file atomically) and returns
// the files written. Throws std::runtime_error naming what cannot be written.
QStringList writePyTorchPackage(const PyTorchPackage& package, const QString& folder);

// A safetensors file's tensors: name -> (shape, float32 values row-major). U8 and I64
// tensors are converted. Throws std::runtime_error naming the file and what is wrong (bad
// header, a range outside the file, a dtype it does not know).
struct Tensor {
    std::vector<int64_t> shape;
    std::vector<float> values;
};
QMap<QString, Tensor> readSafetensors(const QString& path);
// name -> tensor, float32; `bytes` tensors (name -> (shape, bytes)) as U8.
QByteArray
safetensorsBytes(const QMap<QString, Tensor>& floats,
                 const QMap<QString, std::pair<std::vector<int64_t>, QByteArray>>& bytes = {});

// `latentlab-cli import`: the package's model.llmodel with the weights of the checkpoint
// train.py wrote (checkpoint.safetensors and checkpoint.json in `checkpointFolder`), its
// history extended by the checkpoint's epochs, as the bytes of a model file the window and
// the CLI open. The optimiser's state starts afresh (the checkpoint's is PyTorch's).
// Throws std::runtime_error naming the file and tensor that do not fit.
struct ImportedModel {
    QByteArray modelFile;
    int epochsDone = 0;
    int newEpochs = 0;
    QString summary; // for the CLI's line
};
ImportedModel importCheckpoint(const QString& packageFolder, const QString& checkpointFolder);

} // namespace latentlab::exporting
