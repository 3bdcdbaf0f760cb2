#include "PyTorchExport.h"

#include "RunFiles.h"
#include "TrainedModel.h"

#include "latentlab/ModelFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace latentlab::exporting {

namespace {

[[noreturn]] void fail(const QString& message) {
    throw std::runtime_error(message.toStdString());
}

QJsonArray shapeJson(const Shape& s) {
    switch (s.kind) {
    case Shape::Kind::Image:
        return {double(s.channels), double(s.height), double(s.width)};
    case Shape::Kind::Sequence:
        return {double(s.steps), double(s.features)};
    default:
        return {double(s.size())};
    }
}

QJsonObject layerJson(const LayerSpec& spec, const Shape& in, const Shape& out) {
    QJsonObject o{{"kind", QString::fromStdString(spec.kind)},
                  {"input_shape", shapeJson(in)},
                  {"output_shape", shapeJson(out)}};
    const bool weighted = spec.kind == "dense" || spec.kind == "conv" || spec.kind == "convt";
    if (weighted) {
        o["units"] = double(spec.units);
        o["activation"] = QString::fromStdString(activationName(spec.activation));
    }
    if (spec.kind == "conv" || spec.kind == "convt" || spec.kind == "maxpool" ||
        spec.kind == "avgpool") {
        o["kernel"] = double(spec.kernel);
        o["stride"] = double(spec.effectiveStride());
    }
    if (spec.kind == "conv" || spec.kind == "convt") o["padding"] = double(spec.padding);
    if (spec.kind == "convt") o["output_padding"] = double(spec.outputPadding);
    if (spec.kind == "upsample") o["scale"] = double(spec.scale);
    if (spec.kind == "reshape") o["shape"] = shapeJson(spec.shape);
    return o;
}

QJsonArray networkJson(const Sequential& net) {
    QJsonArray layers;
    for (size_t i = 0; i < net.size(); ++i) {
        const Layer& l = net.layer(i);
        layers.append(layerJson(l.spec(), l.inputShape(), l.outputShape()));
    }
    return layers;
}

QJsonArray historyJson(const std::vector<EpochReport>& history) {
    QJsonArray rows;
    for (const EpochReport& r : history) {
        QJsonObject o{{"epoch", r.epoch}, {"train_loss", r.train.total}, {"seconds", r.seconds}};
        if (r.hasValidation) o["validation_loss"] = r.validation.total;
        rows.append(o);
    }
    return rows;
}

// The engine keeps a dense weight as an outputs x inputs column-major matrix, which its
// Parameter describes as {inputs, outputs} row-major; PyTorch's Linear wants {outputs,
// inputs}. Every other parameter is already laid out as PyTorch lays it out.
Tensor torchLayout(const Parameter& p) {
    Tensor t;
    t.shape.assign(p.shape.begin(), p.shape.end());
    if (t.shape.empty()) t.shape = {p.size};
    t.values.assign(p.value, p.value + p.size);
    if (t.shape.size() == 2) {
        const int64_t in = t.shape[0], out = t.shape[1];
        for (int64_t i = 0; i < in; ++i)
            for (int64_t o = 0; o < out; ++o)
                t.values[size_t(o * in + i)] = p.value[i * out + o];
        t.shape = {out, in};
    }
    return t;
}

// The inverse: a PyTorch-laid tensor into the engine's parameter; false if the shape differs.
bool fromTorchLayout(const Tensor& t, Parameter& p) {
    std::vector<int64_t> expected(p.shape.begin(), p.shape.end());
    if (expected.empty()) expected = {p.size};
    if (expected.size() == 2) std::swap(expected[0], expected[1]);
    if (t.shape != expected || int64_t(t.values.size()) != p.size) return false;
    if (expected.size() == 2) {
        const int64_t out = expected[0], in = expected[1];
        for (int64_t i = 0; i < in; ++i)
            for (int64_t o = 0; o < out; ++o)
                p.value[i * out + o] = t.values[size_t(o * in + i)];
    } else {
        std::copy(t.values.begin(), t.values.end(), p.value);
    }
    return true;
}

QString shapeText(const std::vector<int64_t>& shape) {
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return "[" + parts.join(", ") + "]";
}

QByteArray resource(const QString& name) {
    QFile f(":/export/python/" + name);
    if (!f.open(QIODevice::ReadOnly)) fail(name + ": missing from the program's resources");
    return f.readAll();
}

const char* kPackageReadme = R"(# %1, exported from Latent Lab

A %2 trained on %3 for %4 epochs, as a PyTorch package.

    from latentlab_model import load
    model = load(".")                  # torch.nn modules with the trained weights
    codes = model.encode(x)            # x: [batch, %5] in the data's own units
    x_hat = model.decode(codes)

Continue training the same objective with the same optimiser settings, on one process:

    python3 train.py --epochs 5

or on N processes (and so on several machines) with DistributedDataParallel:

    torchrun --nproc_per_node=2 train.py --epochs 5

(Debian 12's torchrun needs `--redirects 1 --tee 1` after `torchrun`.) Both write
checkpoint.safetensors, checkpoint.json and checkpoint.pt here; a later run resumes from
checkpoint.pt. Back in Latent Lab:

    latentlab-cli import --package . --out trained.llmodel

Files: model.json (the layers and the objective), weights.safetensors (the weights and the
normalisation), data.safetensors (the training data, split as Latent Lab split it),
latentlab_model.py, train.py, model.llmodel (the model file it came from).
)";

} // namespace

QByteArray
safetensorsBytes(const QMap<QString, Tensor>& floats,
                 const QMap<QString, std::pair<std::vector<int64_t>, QByteArray>>& bytes) {
    QJsonObject header;
    QByteArray body;
    auto entry = [&](const QString& name, const char* dtype, const std::vector<int64_t>& shape,
                     const QByteArray& data) {
        QJsonArray dims;
        for (int64_t d : shape)
            dims.append(double(d));
        header[name] = QJsonObject{
            {"dtype", dtype},
            {"shape", dims},
            {"data_offsets", QJsonArray{double(body.size()), double(body.size() + data.size())}}};
        body += data;
    };
    for (auto it = floats.begin(); it != floats.end(); ++it) {
        static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "safetensors is little-endian");
        entry(it.key(), "F32", it->shape,
              QByteArray(reinterpret_cast<const char*>(it->values.data()),
                         qsizetype(it->values.size() * sizeof(float))));
    }
    for (auto it = bytes.begin(); it != bytes.end(); ++it)
        entry(it.key(), "U8", it->first, it->second);
    header["__metadata__"] = QJsonObject{{"format", "pt"}, {"producer", "Latent Lab"}};
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8 != 0)
        json += ' ';
    QByteArray out(8, '\0');
    qToLittleEndian<quint64>(quint64(json.size()), out.data());
    return out + json + body;
}

QMap<QString, Tensor> readSafetensors(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) fail(path + ": " + f.errorString());
    const QByteArray all = f.readAll();
    if (all.size() < 8) fail(path + ": too short for a safetensors file");
    const quint64 headerSize = qFromLittleEndian<quint64>(all.constData());
    if (headerSize > quint64(all.size() - 8))
        fail(path + ": its header runs past the end of the file");
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(all.mid(8, qsizetype(headerSize)), &error);
    if (!doc.isObject())
        fail(path + ": its header is not a JSON object (" + error.errorString() + ")");
    const qsizetype dataBegin = 8 + qsizetype(headerSize), dataSize = all.size() - dataBegin;
    QMap<QString, Tensor> tensors;
    const QJsonObject header = doc.object();
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") continue;
        const QJsonObject o = it.value().toObject();
        const QString dtype = o["dtype"].toString();
        const QJsonArray range = o["data_offsets"].toArray();
        Tensor t;
        int64_t count = 1;
        for (const QJsonValue& d : o["shape"].toArray()) {
            const double v = d.toDouble(-1);
            if (!(v >= 0 && v < 1e12) || v != std::floor(v))
                fail(path + ": tensor " + it.key() + " has a bad shape");
            t.shape.push_back(int64_t(v));
            count *= int64_t(v);
        }
        const int width = dtype == "F32"                     ? 4
                          : dtype == "U8"                    ? 1
                          : dtype == "I64" || dtype == "F64" ? 8
                                                             : 0;
        if (width == 0)
            fail(path + ": tensor " + it.key() + " has dtype '" + dtype +
                 "' (F32, F64, U8 or I64 expected)");
        const double begin = range.size() == 2 ? range[0].toDouble(-1) : -1,
                     end = range.size() == 2 ? range[1].toDouble(-1) : -1;
        if (!(begin >= 0 && end >= begin && end <= double(dataSize)) ||
            end - begin != double(count) * width)
            fail(path + ": tensor " + it.key() +
                 " has a byte range that does not fit its shape or the file");
        const char* data = all.constData() + dataBegin + qsizetype(begin);
        t.values.resize(size_t(count));
        for (int64_t i = 0; i < count; ++i) {
            const char* v = data + i * width;
            if (dtype == "F32")
                t.values[size_t(i)] = qFromLittleEndian<float>(v);
            else if (dtype == "F64")
                t.values[size_t(i)] = float(qFromLittleEndian<double>(v));
            else if (dtype == "U8")
                t.values[size_t(i)] = float(uchar(*v));
            else
                t.values[size_t(i)] = float(qFromLittleEndian<qint64>(v));
        }
        tensors[it.key()] = std::move(t);
    }
    return tensors;
}

QStringList writePyTorchPackage(const PyTorchPackage& p, const QString& folder) {
    const Model& model = *p.model;
    const data::Dataset& d = *p.dataset;
    if (!QDir().mkpath(folder)) fail(folder + ": cannot create the folder");
    const QDir dir(folder);
    QStringList written;
    auto write = [&](const QString& name, const QByteArray& bytes) {
        app::writeFileAtomic(dir.filePath(name), bytes);
        written << dir.filePath(name);
    };

    const ModelConfig& mc = model.config();
    const TrainConfig& t = p.config.training;
    const QJsonObject training{
        {"optimizer", QString::fromStdString(optimizerName(t.optimizer.kind))},
        {"learning_rate", t.learningRate},
        {"beta1", t.optimizer.beta1},
        {"beta2", t.optimizer.beta2},
        {"epsilon", t.optimizer.epsilon},
        {"momentum", t.optimizer.momentum},
        {"nesterov", t.optimizer.nesterov},
        {"weight_decay", t.optimizer.weightDecay},
        {"batch_size", t.batchSize},
        {"input_noise", t.inputNoise},
        {"mask_fraction", t.maskFraction},
        {"shuffle", t.shuffle},
        {"seed", double(t.seed)},
        {"epochs_done", p.epochsDone},
    };
    const QJsonObject json{
        {"format", "latentlab-pytorch"},
        {"version", 1},
        {"name", p.name},
        {"dataset", QString::fromStdString(d.name)},
        {"kind", model.kind() == ModelKind::Vae ? "vae" : "ae"},
        {"input_shape", shapeJson(mc.modelInputShape())},
        {"latent_dim", mc.latentDim},
        {"encoder", networkJson(model.encoderNetwork())},
        {"decoder", networkJson(model.decoderNetwork())},
        {"loss", QString::fromStdString(lossName(mc.loss))},
        {"beta", mc.beta},
        {"sparsity", mc.sparsity},
        {"geometry", mc.geometry},
        {"normalizer", QString::fromStdString(normalizerName(model.normalizer().kind()))},
        {"training", training},
        {"history", historyJson(p.history)},
    };
    write("model.json", QJsonDocument(json).toJson(QJsonDocument::Indented));

    QMap<QString, Tensor> weights;
    const std::unique_ptr<Model> copy = model.clone(); // parameters() lends writable views
    for (const Parameter& param : copy->parameters())
        weights[QString::fromStdString(param.name)] = torchLayout(param);
    const Index f = model.inputDim();
    const Normalizer& norm = model.normalizer();
    Tensor shift{{f}, std::vector<float>(size_t(f), 0.0f)},
        scale{{f}, std::vector<float>(size_t(f), 1.0f)};
    if (norm.kind() != Normalizer::Kind::None) {
        std::copy(norm.shift().data(), norm.shift().data() + f, shift.values.begin());
        std::copy(norm.scale().data(), norm.scale().data() + f, scale.values.begin());
    }
    weights["normalizer.shift"] = shift;
    weights["normalizer.scale"] = scale;
    write("weights.safetensors", safetensorsBytes(weights));

    // The split the trainer makes: the last floor(rows x fraction) training rows validate.
    const int64_t rows = d.trainingRows();
    const int64_t validation = int64_t(std::floor(double(rows) * t.validationFraction));
    const int64_t ranges[2][2] = {{0, rows - validation}, {rows - validation, rows}};
    const char* names[2] = {"train", "validation"};
    QMap<QString, Tensor> floats;
    QMap<QString, std::pair<std::vector<int64_t>, QByteArray>> bytes;
    for (int part = 0; part < 2; ++part) {
        const int64_t begin = ranges[part][0], end = ranges[part][1];
        const std::vector<int64_t> shape{end - begin, d.cols};
        if (d.isBytes()) {
            bytes[names[part]] = {
                shape, QByteArray(reinterpret_cast<const char*>(d.bytes.data()) + begin * d.cols,
                                  qsizetype((end - begin) * d.cols))};
        } else {
            floats[names[part]] = {shape, std::vector<float>(d.values.begin() + begin * d.cols,
                                                             d.values.begin() + end * d.cols)};
        }
        if (!d.labels.empty())
            floats[QString(names[part]) + "_labels"] = {
                {end - begin},
                std::vector<float>(d.labels.begin() + begin, d.labels.begin() + end)};
    }
    write("data.safetensors", safetensorsBytes(floats, bytes));

    write("latentlab_model.py", resource("latentlab_model.py"));
    write("train.py", resource("train.py"));
    write("model.llmodel", p.modelFile);
    write("README.md", QString(kPackageReadme)
                           .arg(p.name, QString::fromStdString(modelKindName(model.kind())),
                                QString::fromStdString(d.name))
                           .arg(p.epochsDone)
                           .arg(f)
                           .toUtf8());
    return written;
}

ImportedModel importCheckpoint(const QString& packageFolder, const QString& checkpointFolder) {
    const QDir package(packageFolder), checkpoint(checkpointFolder);
    const QString modelPath = package.filePath("model.llmodel");
    if (!QFileInfo(modelPath).isFile())
        fail(packageFolder +
             ": no model.llmodel; is this a folder `latentlab-cli export --format pytorch` wrote?");
    app::OpenedModel opened = app::openModelFile(modelPath);
    Model& model = *opened.saved.model;

    const QString tensorsPath = checkpoint.filePath("checkpoint.safetensors");
    const QString metaPath = checkpoint.filePath("checkpoint.json");
    if (!QFileInfo(tensorsPath).isFile())
        fail(tensorsPath +
             ": not found; train.py writes it when it finishes (or pass --checkpoint)");
    const QMap<QString, Tensor> tensors = readSafetensors(tensorsPath);
    for (Parameter& p : model.parameters()) {
        const QString name = QString::fromStdString(p.name);
        const auto it = tensors.find(name);
        if (it == tensors.end())
            fail(tensorsPath + ": has no tensor " + name + " (is it this model's checkpoint?)");
        if (!fromTorchLayout(*it, p)) {
            std::vector<int64_t> expected(p.shape.begin(), p.shape.end());
            if (expected.size() == 2) std::swap(expected[0], expected[1]);
            fail(tensorsPath + ": tensor " + name + " is " + shapeText(it->shape) +
                 ", the model's is " + shapeText(expected));
        }
        for (Index i = 0; i < p.size; ++i)
            if (!std::isfinite(p.value[i]))
                fail(tensorsPath + ": tensor " + name + " holds a value that is not finite");
    }

    QFile metaFile(metaPath);
    if (!metaFile.open(QIODevice::ReadOnly)) fail(metaPath + ": " + metaFile.errorString());
    QJsonParseError error{};
    const QJsonObject meta = QJsonDocument::fromJson(metaFile.readAll(), &error).object();
    if (meta.isEmpty()) fail(metaPath + ": not a JSON object (" + error.errorString() + ")");
    const int epochsDone = meta["epochs_done"].toInt(-1);
    if (epochsDone < 0) fail(metaPath + ": no epochs_done");

    // The history: the model file's, then the checkpoint's epochs after it.
    std::vector<EpochReport> history = opened.history;
    const int before = history.empty() ? 0 : history.back().epoch;
    for (const QJsonValue& v : meta["history"].toArray()) {
        const QJsonObject o = v.toObject();
        EpochReport r;
        r.epoch = o["epoch"].toInt();
        if (r.epoch <= before) continue;
        r.epochs = epochsDone;
        r.train.total = r.train.reconstruction = o["train_loss"].toDouble(NAN);
        r.hasValidation = o.contains("validation_loss") && !o["validation_loss"].isNull();
        if (r.hasValidation)
            r.validation.total = r.validation.reconstruction = o["validation_loss"].toDouble(NAN);
        r.seconds = o["seconds"].toDouble();
        r.learningRate = opened.config.training.learningRate;
        r.beta = model.config().beta;
        history.push_back(r);
    }
    const int added = int(history.size() - opened.history.size());

    std::map<std::string, std::string> metadata = opened.saved.metadata;
    metadata["training.epochsDone"] = std::to_string(epochsDone);
    metadata.erase("training.steps");
    metadata["history.csv"] = app::historyCsv(history).toStdString();
    const int processes = meta["world_size"].toInt(1);
    metadata["imported"] = QString("from PyTorch: %1 (%2 epochs on %3 process%4)")
                               .arg(QFileInfo(tensorsPath).absoluteFilePath())
                               .arg(added)
                               .arg(processes)
                               .arg(processes == 1 ? "" : "es")
                               .toStdString();
    ImportedModel out;
    out.modelFile = QByteArray::fromStdString(
        serializeModel(model, nullptr, opened.saved.optimizerConfig, metadata));
    out.epochsDone = epochsDone;
    out.newEpochs = added;
    out.summary = QString::fromStdString(metadata["imported"]);
    return out;
}

} // namespace latentlab::exporting
