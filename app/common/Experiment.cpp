#include "Experiment.h"

#include "latentlab/Multiply.h"

#include "latentlab/CsvReader.h"

namespace latentlab::app {

data::Dataset loadDataset(const DatasetSpec& spec, const data::Catalogue& catalogue) {
    const std::string name = spec.name.toStdString();
    if (spec.name.endsWith(".csv", Qt::CaseInsensitive)) {
        data::CsvOptions o;
        o.labelColumn = spec.csvLabelColumn;
        o.testFraction = spec.generator.testFraction;
        return data::readCsv(name, o);
    }
    return catalogue.load(name, spec.generator);
}

DataView viewOf(const data::Dataset& d) {
    DataView v;
        o.header = spec.csvHeader;
    v.rows = d.rows;
    v.cols = d.cols;
    if (d.isBytes())
        v.bytes = d.bytes.data();
    else
        v.values = d.values.data();
    return v;
}

Experiment Experiment::prepare(const RunConfig& config, const data::Catalogue& catalogue) {
    config.validate();
    return prepare(config, std::make_shared<const data::Dataset>(loadDataset(config.dataset, catalogue)));
}

Experiment Experiment::prepare(const RunConfig& config, std::shared_ptr<const data::Dataset> dataset) {
    config.validate();
    Experiment e;
    e.m_config = config;
    e.m_dataset = std::move(dataset);
    if (!e.m_dataset) throw ConfigFileError("configuration: no dataset loaded");
    const data::Dataset& d = *e.m_dataset;
    if (d.rows < 4) throw ConfigFileError("dataset " + d.name + ": too few samples to train on");
    e.m_config.model.inputDim = int(d.cols);
    const bool unitRange = config.dataset.normalize == Normalizer::Kind::MinMax ||
                           config.dataset.normalize == Normalizer::Kind::GlobalMinMax;
    if (config.model.loss == ReconstructionLoss::Bce && !unitRange)
        throw ConfigFileError("configuration: model.loss: bce needs data scaled to [0, 1]; set "
                              "dataset.normalize to minmax or global-minmax");
    try {
        e.m_model = makeModel(e.m_config.model);
    } catch (const ConfigError& err) {
        throw ConfigFileError(std::string("configuration: ") + err.what());
    }
    const Index trainRows = d.trainingRows();
    e.m_model->normalizer() = Normalizer::fit(config.dataset.normalize, e.view(), trainRows);
    return e;
}

std::map<std::string, std::string> Experiment::metadata() const {
    const data::Dataset& d = *m_dataset;
    return {{"dataset", d.name},
            {"dataset.source", d.source},
            {"dataset.rows", std::to_string(d.rows)},
            {"dataset.features", std::to_string(d.cols)},
            {"dataset.imageWidth", std::to_string(d.imageWidth)},
            {"dataset.imageHeight", std::to_string(d.imageHeight)},
            {"preset", m_config.name.toStdString()},
            {"engine.multiply", multiplyChoice().label}};
}

void checkModelFitsData(const Model& model, const data::Dataset& dataset, const QString& modelSource) {
    if (model.inputDim() != dataset.cols)
        throw ConfigFileError(QString("%1 expects %2 features per sample, but dataset '%3' has %4")
                                  .arg(modelSource)
                                  .arg(model.inputDim())
                                  .arg(QString::fromStdString(dataset.name))
                                  .arg(dataset.cols)
                                  .toStdString());
}

} // namespace latentlab::app
