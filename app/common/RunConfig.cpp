#include "RunConfig.h"

#include "latentlab/FileIo.h"
#include "latentlab/Types.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>

namespace latentlab::app {

namespace {

// Reads one JSON object strictly: every key must be known, every value of the right type.
class Section {
public:
    Section(const QJsonObject& obj, QString path, QString source, QStringList known)
        : m_obj(obj), m_path(std::move(path)), m_source(std::move(source)) {
        for (auto it = obj.begin(); it != obj.end(); ++it)
            if (!known.contains(it.key()))
                fail(it.key(), "unknown key (known: " + known.join(", ") + ")");
    }
    bool has(const QString& key) const { return m_obj.contains(key); }
    [[noreturn]] void fail(const QString& key, const QString& problem) const {
        throw ConfigFileError((m_source + ": " + m_path + key + ": " + problem).toStdString());
    }
    double number(const QString& key) const {
        const QJsonValue v = m_obj.value(key);
        if (!v.isDouble() || !std::isfinite(v.toDouble())) fail(key, "expected a number");
        return v.toDouble();
    }
    int integer(const QString& key, double lo, double hi) const {
        const double d = number(key);
        if (d != std::floor(d)) fail(key, "expected a whole number");
        if (d < lo || d > hi) fail(key, QString("must be between %1 and %2").arg(lo).arg(hi));
        return int(d);
    }
    QString string(const QString& key) const {
        const QJsonValue v = m_obj.value(key);
        if (!v.isString()) fail(key, "expected a string");
        return v.toString();
    }
    bool boolean(const QString& key) const {
        const QJsonValue v = m_obj.value(key);
        if (!v.isBool()) fail(key, "expected true or false");
        return v.toBool();
    }
    std::vector<int> widths(const QString& key) const {
        const QJsonValue v = m_obj.value(key);
        if (!v.isArray()) fail(key, "expected a list of layer widths, like [512, 256]");
        std::vector<int> out;
        for (const QJsonValue& w : v.toArray()) {
            if (!w.isDouble() || w.toDouble() != std::floor(w.toDouble()) || w.toDouble() < 1 ||
                w.toDouble() > 65536)
                fail(key, "every width must be a whole number from 1 to 65536");
            out.push_back(int(w.toDouble()));
        }
        return out;
    }
    // A list of widths ([512, 256]) or of layer specs (["conv 16 k3 s2 p1 relu", ...]).
    bool isLayerList(const QString& key) const {
        const QJsonArray a = m_obj.value(key).toArray();
        return !a.isEmpty() && a.first().isString();
    }
    std::vector<LayerSpec> layers(const QString& key) const {
        std::vector<LayerSpec> out;
        const QJsonArray a = m_obj.value(key).toArray();
        for (int i = 0; i < a.size(); ++i) {
            if (!a[i].isString())
                fail(key, "mixes widths and layers; write every entry as a layer (\"dense 64 relu\")");
            try {
                out.push_back(LayerSpec::parse(a[i].toString().toStdString()));
            } catch (const ConfigError& e) {
                fail(key, QString("entry %1: %2").arg(i + 1).arg(QString::fromUtf8(e.what())));
            }
        }
        return out;
    }
    QJsonObject object(const QString& key) const {
        const QJsonValue v = m_obj.value(key);
        if (!v.isObject()) fail(key, "expected an object");
        return v.toObject();
    }
    // Converts the engine's own validation errors into this file's terms. Errors of this
    // section (a wrong type, read inside f) already name the source and key; the engine's
    // may start with the key's bare name ("normalize: unknown 'x'"), said once is enough.
    template <typename F> auto parse(const QString& key, F f) const {
        try {
            return f();
        } catch (const ConfigFileError&) {
            throw;
        } catch (const std::exception& e) {
            QString problem = QString::fromStdString(e.what());
            if (problem.startsWith(key + ": ")) problem.remove(0, key.size() + 2);
            fail(key, problem);
        }
    }

private:
    QJsonObject m_obj;
    QString m_path, m_source;
};

QJsonArray toArray(const std::vector<int>& v) {
    QJsonArray a;
    for (int x : v) a.append(x);
    return a;
}

} // namespace

QJsonObject RunConfig::toJson() const {
    QJsonObject d{{"name", dataset.name},
                  {"samples", double(dataset.generator.samples)},
                  {"noise", dataset.generator.noise},
                  {"seed", double(dataset.generator.seed)},
                  {"testFraction", dataset.generator.testFraction},
                  {"normalize", QString::fromStdString(normalizerName(dataset.normalize))},
                  {"labelColumn", dataset.csvLabelColumn},
                  {"header", QString::fromStdString(data::csvHeaderName(dataset.csvHeader))}};
    if (dataset.holdOutClass >= 0) d["holdOutClass"] = dataset.holdOutClass;
    auto layerArray = [](const std::vector<LayerSpec>& specs) {
        QJsonArray a;
        for (const LayerSpec& l : specs) a.append(QString::fromStdString(l.text()));
        return a;
    };
    QJsonObject m{{"kind", QString::fromStdString(modelKindName(model.kind))},
                  {"encoder", model.encoderLayers.empty() ? toArray(model.encoderWidths) : layerArray(model.encoderLayers)},
                  {"latentDim", model.latentDim},
                  {"decoder", model.decoderLayers.empty() ? toArray(model.resolvedDecoderWidths())
                                                          : layerArray(model.decoderLayers)},
                  {"activation", QString::fromStdString(activationName(model.activation))},
                  {"loss", QString::fromStdString(lossName(model.loss))},
                  {"beta", model.beta},
                  {"sparsity", model.sparsity}};
    if (model.geometry > 0) {
        m["geometry"] = model.geometry;
        m["geometryNeighbours"] = model.geometryNeighbours;
    }
    if (model.inputDim > 0) m["inputDim"] = model.inputDim;
    const TrainConfig& t = training;
    QJsonObject tr{{"epochs", t.epochs},
                   {"batchSize", t.batchSize},
                   {"learningRate", t.learningRate},
                   {"optimizer", QString::fromStdString(optimizerName(t.optimizer.kind))},
                   {"momentum", t.optimizer.momentum},
                   {"nesterov", t.optimizer.nesterov},
                   {"beta1", t.optimizer.beta1},
                   {"beta2", t.optimizer.beta2},
                   {"epsilon", t.optimizer.epsilon},
                   {"weightDecay", t.optimizer.weightDecay},
                   {"validationFraction", t.validationFraction},
                   {"seed", double(t.seed)},
                   {"threads", t.threads},
                   {"shuffle", t.shuffle},
                   {"inputNoise", t.inputNoise},
                   {"maskFraction", t.maskFraction}};
    QJsonObject root{{"dataset", d}, {"model", m}, {"training", tr}};
    if (!name.isEmpty()) root["name"] = name;
    if (!description.isEmpty()) root["description"] = description;
    return root;
}

void RunConfig::merge(const QJsonObject& json, const QString& source) {
    const Section root(json, "", source, {"name", "description", "dataset", "model", "training", "engine"});
    // "engine" records what computed a run (config.json of a run folder); it is not a setting.
    if (root.has("name")) name = root.string("name");
    if (root.has("description")) description = root.string("description");
    if (root.has("dataset")) {
        const Section s(root.object("dataset"), "dataset.", source,
                        {"name", "samples", "noise", "seed", "testFraction", "normalize", "labelColumn",
                         "header", "holdOutClass"});
        data::GeneratorOptions& g = dataset.generator;
        if (s.has("name")) dataset.name = s.string("name");
        if (s.has("samples")) g.samples = s.integer("samples", 10, 10000000);
        if (s.has("noise")) g.noise = s.number("noise");
        if (s.has("seed")) g.seed = uint64_t(s.integer("seed", 0, 2147483647));
        if (s.has("testFraction")) g.testFraction = s.number("testFraction");
        if (s.has("normalize"))
            dataset.normalize = s.parse("normalize", [&] { return parseNormalizer(s.string("normalize").toStdString()); });
        if (s.has("labelColumn")) dataset.csvLabelColumn = s.integer("labelColumn", -1, 1000000);
        if (s.has("holdOutClass")) dataset.holdOutClass = s.integer("holdOutClass", -1, 1000000);
        if (s.has("header"))
            dataset.csvHeader = s.parse("header", [&] { return data::parseCsvHeader(s.string("header").toStdString()); });
    }
    if (root.has("model")) {
        const Section s(root.object("model"), "model.", source,
                        {"kind", "encoder", "latentDim", "decoder", "activation", "loss", "beta",
                         "sparsity", "geometry", "geometryNeighbours", "inputDim"});
        if (s.has("kind")) model.kind = s.parse("kind", [&] { return parseModelKind(s.string("kind").toStdString()); });
        if (s.has("encoder")) {
            model.encoderLayers = s.isLayerList("encoder") ? s.layers("encoder") : std::vector<LayerSpec>{};
            if (model.encoderLayers.empty()) model.encoderWidths = s.widths("encoder");
        }
        if (s.has("latentDim")) model.latentDim = s.integer("latentDim", 1, 4096);
        if (s.has("decoder")) {
            model.decoderLayers = s.isLayerList("decoder") ? s.layers("decoder") : std::vector<LayerSpec>{};
            if (model.decoderLayers.empty()) model.decoderWidths = s.widths("decoder");
        }
        if (s.has("activation"))
            model.activation = s.parse("activation", [&] { return parseActivation(s.string("activation").toStdString()); });
        if (s.has("loss")) model.loss = s.parse("loss", [&] { return parseLoss(s.string("loss").toStdString()); });
        if (s.has("beta")) model.beta = s.number("beta");
        if (s.has("sparsity")) model.sparsity = s.number("sparsity");
        if (s.has("geometry")) model.geometry = s.number("geometry");
        if (s.has("geometryNeighbours")) model.geometryNeighbours = s.integer("geometryNeighbours", 1, 1000);
        if (s.has("inputDim")) model.inputDim = s.integer("inputDim", 1, 1 << 24);
    }
    if (root.has("training")) {
        const Section s(root.object("training"), "training.", source,
                        {"epochs", "batchSize", "learningRate", "optimizer", "momentum", "nesterov",
                         "beta1", "beta2", "epsilon", "weightDecay", "validationFraction", "seed",
                         "threads", "shuffle", "inputNoise", "maskFraction"});
        TrainConfig& t = training;
        if (s.has("epochs")) t.epochs = s.integer("epochs", 0, 1000000);
        if (s.has("batchSize")) t.batchSize = s.integer("batchSize", 1, 1 << 20);
        if (s.has("learningRate")) t.learningRate = s.number("learningRate");
        if (s.has("optimizer"))
            t.optimizer.kind = s.parse("optimizer", [&] { return parseOptimizer(s.string("optimizer").toStdString()); });
        if (s.has("momentum")) t.optimizer.momentum = s.number("momentum");
        if (s.has("nesterov")) t.optimizer.nesterov = s.boolean("nesterov");
        if (s.has("beta1")) t.optimizer.beta1 = s.number("beta1");
        if (s.has("beta2")) t.optimizer.beta2 = s.number("beta2");
        if (s.has("epsilon")) t.optimizer.epsilon = s.number("epsilon");
        if (s.has("weightDecay")) t.optimizer.weightDecay = s.number("weightDecay");
        if (s.has("validationFraction")) t.validationFraction = s.number("validationFraction");
        if (s.has("seed")) t.seed = uint64_t(s.integer("seed", 0, 2147483647));
        if (s.has("threads")) t.threads = s.integer("threads", 0, 1024);
        if (s.has("shuffle")) t.shuffle = s.boolean("shuffle");
        if (s.has("inputNoise")) t.inputNoise = s.number("inputNoise");
        if (s.has("maskFraction")) t.maskFraction = s.number("maskFraction");
    }
}

RunConfig RunConfig::fromJson(const QJsonObject& json, const QString& source) {
    RunConfig c;
    c.merge(json, source);
    return c;
}

void RunConfig::validate() const {
    try {
        ModelConfig m = model;
        if (m.inputDim <= 0) m.inputDim = 1; // not known until the data is loaded
        // Layer lists are checked against the data's sample shape when it is loaded
        // (Experiment::prepare); each spec was checked when it was read.
        m.encoderLayers.clear();
        m.decoderLayers.clear();
        m.validate();
        training.validate();
    } catch (const ConfigError& e) {
        throw ConfigFileError(std::string("configuration: ") + e.what());
    }
    const auto& g = dataset.generator;
    if (!(g.noise >= 0 && g.noise <= 1e6))
        throw ConfigFileError("configuration: dataset.noise: must be from 0 to 1e6, got " +
                              QString::number(g.noise, 'g', 6).toStdString());
    if (!(g.testFraction >= 0 && g.testFraction < 1))
        throw ConfigFileError("configuration: dataset.testFraction: must be in [0, 1)");
}

QStringList presetNames() {
    QStringList names;
    for (const QString& f : QDir(":/presets").entryList({"*.json"}, QDir::Files, QDir::Name))
        names << f.chopped(5);
    return names;
}

QString defaultPresetName() { return QStringLiteral("swissroll-ae"); }

namespace {
QJsonObject readJsonObject(const QString& path, const QString& shownAs) {
    QByteArray bytes;
    if (path.startsWith(":/")) { // a preset built into the program
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            throw ConfigFileError((shownAs + ": cannot open (" + f.errorString() + ")").toStdString());
        bytes = f.readAll();
    } else {
        // A FIFO would block for ever, a folder or a symlink loop deserves its own name:
        // only regular files are read, and failures carry the system's reason.
        try {
            bytes = QByteArray::fromStdString(readWholeFile(QFile::encodeName(path).toStdString()));
        } catch (const FileError& e) {
            throw ConfigFileError(e.what());
        }
    }
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
    if (err.error != QJsonParseError::NoError)
        throw ConfigFileError(
            (shownAs + QString(": invalid JSON at byte %1: %2").arg(err.offset).arg(err.errorString())).toStdString());
    if (!doc.isObject()) throw ConfigFileError((shownAs + ": expected a JSON object").toStdString());
    return doc.object();
}
} // namespace

RunConfig loadPreset(const QString& name) {
    const QString path = ":/presets/" + name + ".json";
    if (!QFile::exists(path))
        throw ConfigFileError(("unknown preset '" + name + "' (presets: " + presetNames().join(", ") + ")").toStdString());
    RunConfig c = RunConfig::fromJson(readJsonObject(path, "preset " + name), "preset " + name);
    c.name = name;
    return c;
}

RunConfig loadConfigFile(const QString& path) {
    return RunConfig::fromJson(readJsonObject(path, path), path);
}

QString architecture(const ModelConfig& model, long long inputDim) {
    if (model.layered()) {
        ModelConfig m = model;
        m.inputDim = int(inputDim);
        try {
            return QString::fromStdString(m.architectureText());
        } catch (const ConfigError& e) {
            return QString::fromUtf8(e.what());
        }
    }
    QString arch = QString::number(inputDim);
    for (int w : model.encoderWidths) arch += "-" + QString::number(w);
    return arch + "-" + QString::number(model.latentDim);
}

} // namespace latentlab::app
