#include "TrainedModel.h"

#include "HistoryCsv.h"
#include "RunFiles.h"

#include "latentlab/Archive.h"
#include "latentlab/FileIo.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

namespace latentlab::app {

namespace {
std::string metaValue(const std::map<std::string, std::string>& meta, const char* key) {
    const auto it = meta.find(key);
    return it == meta.end() ? std::string() : it->second;
}

// The configuration a model file was trained with; see openModelFile.
RunConfig configOf(const SavedModel& saved, const QString& path) {
    RunConfig config;
    const std::string json = metaValue(saved.metadata, "config");
    const QString beside = QFileInfo(path).dir().filePath("config.json");
    if (!json.empty()) {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
        if (!doc.isObject())
            throw ConfigFileError((path + ": the configuration stored in the file is not valid JSON").toStdString());
        config = RunConfig::fromJson(doc.object(), path + " (stored configuration)");
    } else if (QFileInfo::exists(beside)) {
        config = loadConfigFile(beside);
    } else {
        // Empty when the file does not say (requireDataset).
        config.dataset.name = QString::fromStdString(metaValue(saved.metadata, "dataset"));
        config.dataset.normalize = saved.model->normalizer().kind();
    }
    // The architecture and the optimiser are the file's, whatever a config says.
    config.model = saved.model->config();
    config.training.optimizer = saved.optimizerConfig;
    if (config.name.isEmpty()) config.name = QString::fromStdString(metaValue(saved.metadata, "preset"));
    return config;
}
} // namespace

uint32_t datasetChecksum(const data::Dataset& d) {
    uint32_t crc = d.isBytes() ? crc32(d.bytes.data(), d.bytes.size())
                               : crc32(d.values.data(), d.values.size() * sizeof(float));
    return crc32(d.labels.data(), d.labels.size() * sizeof(float), crc);
}

QByteArray modelFileBytes(const Experiment& e, Model& model, const Trainer& trainer,
                          const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> meta = e.metadata();
    meta["dataset.crc32"] = std::to_string(e.dataChecksum());
    const TrainerPosition position = trainer.position();
    RunConfig c = e.config();
    c.training.learningRate = position.learningRate;
    c.model.beta = position.beta;
    meta["config"] = QJsonDocument(c.toJson()).toJson(QJsonDocument::Compact).toStdString();
    meta["training.epochsDone"] = std::to_string(position.epoch);
    meta["training.steps"] = std::to_string(position.steps);
    meta["history.csv"] = historyCsv(position.history).toStdString();
    for (const auto& [key, value] : extra) meta[key] = value;
    return QByteArray::fromStdString(
        serializeModel(model, &trainer.optimizer(), c.training.optimizer, meta, &position));
}

OpenedModel openModelFile(const QString& path) {
    OpenedModel m;
    m.path = path;
    // The engine's reader: a folder, a FIFO or a device is refused by name, not waited on.
    m.saved = deserializeModel(readWholeFile(QFile::encodeName(path).toStdString()), path.toStdString());
    m.config = configOf(m.saved, path);
    if (m.saved.position) {
        m.history = m.saved.position->history;
        return m;
    }
    // Older files: our window's say how many epochs were trained; the CLI's only count steps.
    const std::string epochs = metaValue(m.saved.metadata, "training.epochsDone");
    bool ok = false;
    const int done = QString::fromStdString(epochs).toInt(&ok);
    if (ok && done >= 0) m.epochsDone = done;
    const std::string history = metaValue(m.saved.metadata, "history.csv");
    QFile beside(QFileInfo(path).dir().filePath("history.csv"));
    if (!history.empty())
        m.history = parseHistoryCsv(QByteArray::fromStdString(history), &m.historyProblems);
    else if (beside.open(QIODevice::ReadOnly))
        m.history = parseHistoryCsv(beside.readAll(), &m.historyProblems);
    return m;
}

void requireDataset(const OpenedModel& m) {
    if (m.config.dataset.name.isEmpty())
        throw ConfigFileError((m.path + ": the file does not say which dataset the model was trained on").toStdString());
}

void checkSameData(const OpenedModel& m, const data::Dataset& d) {
    const auto& meta = m.saved.metadata;
    auto differs = [&](const char* key, const std::string& now) {
        const std::string saved = metaValue(meta, key);
        return !saved.empty() && saved != now;
    };
    const std::string rows = std::to_string(d.rows), cols = std::to_string(d.cols);
    if (differs("dataset.rows", rows) || differs("dataset.features", cols))
        throw FileError((m.path + QString(": trained on %1 samples of %2 features, but %3 now has %4 of %5")
                                      .arg(QString::fromStdString(metaValue(meta, "dataset.rows")),
                                           QString::fromStdString(metaValue(meta, "dataset.features")),
                                           QString::fromStdString(d.name), QString::fromStdString(rows),
                                           QString::fromStdString(cols)))
                            .toStdString());
    if (differs("dataset.crc32", std::to_string(datasetChecksum(d))))
        throw FileError((m.path + ": the data of " + QString::fromStdString(d.name) +
                         " is not the data the model was trained on (another checksum); training would "
                         "not continue as it would have")
                            .toStdString());
}

void continueTraining(Trainer& trainer, Model& model, const OpenedModel& m) {
    const std::string source = m.path.toStdString();
    try {
        // Also when empty (SGD without momentum keeps no slots): the step count comes back.
        trainer.optimizer().setState(m.saved.optimizerState, model.parameters(), m.saved.optimizerSteps);
        if (m.saved.position) {
            trainer.resume(*m.saved.position);
            return;
        }
        TrainerPosition p = trainer.position();
        p.steps = m.saved.optimizerSteps;
        p.epoch = m.epochsDone >= 0 ? m.epochsDone
                                    : int(m.saved.optimizerSteps / std::max<Index>(1, trainer.batchesPerEpoch()));
        p.history = m.history;
        trainer.resume(p);
    } catch (const ConfigError& e) {
        throw FileError(source + ": " + e.what());
    }
}

} // namespace latentlab::app
