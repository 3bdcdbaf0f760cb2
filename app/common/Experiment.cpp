#include "Experiment.h"

#include "TrainedModel.h"

#include "latentlab/Multiply.h"

#include "latentlab/CsvReader.h"

#include <QFile>

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <sys/resource.h>

namespace latentlab::app {

namespace {
data::Dataset loadWholeDataset(const DatasetSpec& spec, const data::Catalogue& catalogue) {
    const std::string name = spec.name.toStdString();
    if (spec.name.endsWith(".csv", Qt::CaseInsensitive)) {
        data::CsvOptions o;
        o.labelColumn = spec.csvLabelColumn;
        o.header = spec.csvHeader;
        o.testFraction = spec.generator.testFraction;
        return data::readCsv(name, o);
    }
    return catalogue.load(name, spec.generator);
}
} // namespace

data::Dataset loadDataset(const DatasetSpec& spec, const data::Catalogue& catalogue) {
    data::Dataset d = loadWholeDataset(spec, catalogue);
    if (spec.holdOutClass >= 0) return d.withoutTrainingClass(spec.holdOutClass);
    return d;
}

DataView viewOf(const data::Dataset& d) {
    DataView v;
    v.rows = d.rows;
    v.cols = d.cols;
    if (d.isBytes())
        v.bytes = d.bytes.data();
    else
        v.values = d.values.data();
    return v;
}

Shape sampleShapeOf(const data::Dataset& d) {
    const std::vector<int64_t> s = d.sampleShape();
    if (s.size() == 3) return Shape::image(s[0], s[1], s[2]);
    return Shape::flat(d.cols);
}

MemoryEstimate memoryEstimate(const RunConfig& config, const data::Dataset& d) {
    ModelConfig m = config.model;
    m.inputDim = int(d.cols);
    m.inputShape = sampleShapeOf(d);
    MemoryEstimate e;
    e.parameters = m.parameterCount();
    const double activations = double(m.activationValues());
    constexpr double kFloat = sizeof(float);
    // Each parameter: its value, gradient, two optimiser slots and the last finite copy.
    e.modelBytes = 5.0 * kFloat * double(e.parameters);
    // Each sample of a batch: every layer's output, pre-activation and gradient.
    e.batchBytes = 3.0 * kFloat * activations * double(std::max(1, config.training.batchSize));
    return e;
}

double availableMemoryBytes() {
    double available = std::numeric_limits<double>::infinity();
    QFile meminfo("/proc/meminfo");
    if (meminfo.open(QIODevice::ReadOnly))
        for (const QByteArray& line : meminfo.readAll().split('\n'))
            if (line.startsWith("MemAvailable:")) available = line.mid(13).trimmed().split(' ').first().toDouble() * 1024;
    // A limit on the address space (ulimit -v) counts too, less what is mapped already.
    rlimit limit{};
    if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        double mapped = 0;
        QFile status("/proc/self/status");
        if (status.open(QIODevice::ReadOnly))
            for (const QByteArray& line : status.readAll().split('\n'))
                if (line.startsWith("VmSize:")) mapped = line.mid(7).trimmed().split(' ').first().toDouble() * 1024;
        available = std::min(available, std::max(0.0, double(limit.rlim_cur) - mapped));
    }
    return available;
}

void checkMemory(const RunConfig& config, const data::Dataset& d) {
    const MemoryEstimate e = memoryEstimate(config, d);
    const double available = availableMemoryBytes();
    if (e.total() <= available) return;
    const auto gib = [](double bytes) { return QString::number(bytes / double(1 << 30), 'f', 1) + " GiB"; };
    const bool batchDominates = e.batchBytes > e.modelBytes;
    throw ConfigFileError(
        QString("training needs about %1 of memory, more than the %2 available: %3 for the model's %4 million "
                "parameters with their gradients and optimiser state, %5 for batches of %6 samples; %7")
            .arg(gib(e.total()), gib(available), gib(e.modelBytes))
            .arg(double(e.parameters) / 1e6, 0, 'f', 1)
            .arg(gib(e.batchBytes))
            .arg(config.training.batchSize)
            .arg(batchDominates ? "lower --batch-size (training.batchSize)"
                                : "use narrower layers (model.encoderWidths) or a smaller --latent-dim")
            .toStdString());
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
    e.m_config.model.inputShape = sampleShapeOf(d);
    try {
        e.m_config.model.validate();
    } catch (const ConfigError& err) {
        throw ConfigFileError("configuration: model." + std::string(err.what()) + " (dataset " + d.name + ")");
    }
    checkMemory(e.m_config, d);
    const bool unitRange = config.dataset.normalize == Normalizer::Kind::MinMax ||
                           config.dataset.normalize == Normalizer::Kind::GlobalMinMax;
    if (config.model.loss == ReconstructionLoss::Bce && !unitRange)
        throw ConfigFileError("configuration: model.loss: bce needs data scaled to [0, 1]; set "
                              "dataset.normalize to minmax or global-minmax");
    try {
        e.m_model = makeModel(e.m_config.model);
    } catch (const ConfigError& err) {
        throw ConfigFileError(std::string("configuration: ") + err.what());
    } catch (const std::bad_alloc&) {
        throw ConfigFileError("out of memory while creating the model's " +
                              std::to_string(memoryEstimate(e.m_config, d).parameters) + " parameters");
    }
    const Index trainRows = d.trainingRows();
    e.m_model->normalizer() = Normalizer::fit(config.dataset.normalize, e.view(), trainRows);
    // Training squares normalised values and sums them over features and a batch; values
    // whose squares could overflow float are a problem of the data, not of the learning rate.
    const double limit = std::sqrt(double(std::numeric_limits<float>::max()) /
                                   (double(d.cols) * double(std::max(1, config.training.batchSize))));
    if (const std::string problem = e.m_model->normalizer().rangeProblem(e.view(), d.rows, limit); !problem.empty())
        throw ConfigFileError("dataset " + d.name + ": " + problem);
    return e;
}

void Experiment::adoptModel(std::unique_ptr<Model> model, const QString& source) {
    checkModelFitsData(*model, *m_dataset, source);
    m_config.model = model->config();
    m_model = std::move(model);
}

std::map<std::string, std::string> Experiment::metadata() const {
    const data::Dataset& d = *m_dataset;
    return {{"dataset", d.name},
            {"dataset.source", d.source},
            {"dataset.rows", std::to_string(d.rows)},
            {"dataset.features", std::to_string(d.cols)},
            {"dataset.imageWidth", std::to_string(d.imageWidth)},
            {"dataset.imageHeight", std::to_string(d.imageHeight)},
            {"dataset.holdOutClass", std::to_string(m_config.dataset.holdOutClass)},
            {"preset", m_config.name.toStdString()},
            {"engine.multiply", multiplyChoice().label}};
}

uint32_t Experiment::dataChecksum() const {
    if (!m_checksum) m_checksum = datasetChecksum(*m_dataset);
    return *m_checksum;
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

RunConfig proposedFor(const RunConfig& current, const data::Dataset& d, QString* summary) {
    RunConfig c = current;
    c.proposeForData = false;
    ModelConfig& m = c.model;
    const int64_t features = d.cols, samples = d.trainingRows();
    // Few features (coordinates): a deep, narrow ELU network as the Swiss roll presets use;
    // many (pixels): two ReLU layers, the first about half the input, as the MNIST ones.
    if (features <= 16) {
        m.encoderWidths = {64, 64, 64};
        m.activation = Activation::ELU;
    } else if (features <= 128) {
        m.encoderWidths = {128, 64};
        m.activation = Activation::ELU;
    } else {
        int first = 128;
        while (first < 512 && first < features / 2) first *= 2;
        m.encoderWidths = {first, first / 2};
        m.activation = Activation::ReLU;
    }
    m.decoderWidths.clear();
    m.latentDim = int(std::clamp<int64_t>(m.latentDim, 1, std::max<int64_t>(1, features)));
    // Layers stay if they fit the new samples (a convolutional model moved from MNIST to
    // Fashion-MNIST); otherwise the dense widths above take over.
    if (m.layered()) {
        m.inputDim = int(features);
        m.inputShape = sampleShapeOf(d);
        try {
            m.validate();
        } catch (const ConfigError&) {
            m.encoderLayers.clear();
            m.decoderLayers.clear();
        }
    }
    // With cross-entropy over pixels beta 1 is the textbook VAE; the squared error of a few
    // standardised features is small beside a KL term of weight 1, which then wins and the
    // codes collapse, so the Swiss roll VAE's 0.05.
    if (m.kind == ModelKind::Vae) m.beta = m.loss == ReconstructionLoss::Bce ? 1.0 : 0.05;
    m.sparsity = 0;
    TrainConfig& t = c.training;
    t.batchSize = samples <= 5000 ? 32 : 128;
    t.learningRate = features <= 128 ? 0.002 : 0.001;
    t.epochs = samples <= 5000 ? 300 : samples <= 20000 ? 50 : samples <= 50000 ? 20 : 10;
    if (summary) {
        const QString kind = m.kind == ModelKind::Vae ? QString("VAE (beta %1)").arg(m.beta) : QString("autoencoder");
        *summary = QString("Proposed for %1 training samples of %2 features: %3 %4 (%5), batch %6, learning rate "
                           "%7, %8 epochs. Change any of them in the panel.")
                       .arg(samples)
                       .arg(features)
                       .arg(kind, architecture(m, features),
                            QString::fromStdString(activationName(m.activation)))
                       .arg(t.batchSize)
                       .arg(t.learningRate)
                       .arg(t.epochs);
    }
    return c;
}

} // namespace latentlab::app
