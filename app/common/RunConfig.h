// A whole experiment as one value: which data, which model, how to train. It is read from
// and written to JSON (presets, --config files, the config.json of every run).
#pragma once

#include "latentlab/CsvReader.h"
#include "latentlab/Generators.h"
#include "latentlab/ModelConfig.h"
#include "latentlab/Normalizer.h"
#include "latentlab/Trainer.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <stdexcept>

namespace latentlab::app {

// Any problem with a configuration; what() names the source, the field and the problem.
class ConfigFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct DatasetSpec {
    QString name = QStringLiteral("swissroll"); // catalogue name or a file path
    data::GeneratorOptions generator;           // for generated datasets
    Normalizer::Kind normalize = Normalizer::Kind::Standardize;
    // For CSV files: the 0-based label column (-1: none) and whether row 1 names the columns.
    int csvLabelColumn = -1;
    data::CsvOptions::Header csvHeader = data::CsvOptions::Header::Auto;
    // A class left out of the training part (-1: none), for anomaly detection: the model
    // learns the other classes as "normal" and the test part keeps every class.
    int holdOutClass = -1;
};

struct RunConfig {
    QString name;        // preset name, or empty
    QString description;
    DatasetSpec dataset;
    ModelConfig model;   // inputDim is filled in from the data
    TrainConfig training;
    // Not saved: the window sets it when the user picks another dataset, so the session
    // replaces the sizes above with proposedFor() the loaded data (see Experiment.h).
    bool proposeForData = false;

    QJsonObject toJson() const;
    // Strict: unknown keys and wrong types are errors, naming `source` and the key path.
    static RunConfig fromJson(const QJsonObject& json, const QString& source);
    // Overlays the keys present in json onto this config (same strictness).
    void merge(const QJsonObject& json, const QString& source);
    void validate() const; // ConfigFileError for nonsense values, naming the field
};

QStringList presetNames();
RunConfig loadPreset(const QString& name); // ConfigFileError listing the presets if unknown
RunConfig loadConfigFile(const QString& path);
QString defaultPresetName();
// "784-512-256-2": the input width, the encoder's widths and the latent size.
QString architecture(const ModelConfig& model, long long inputDim);

} // namespace latentlab::app
