#include "Args.h"
#include "Commands.h"
#include "Interrupt.h"
#include "ProgressLine.h"
#include "RunPlots.h"

#include "EpochMetrics.h"
#include "Experiment.h"
#include "PlotRenderer.h"
#include "RunFiles.h"
#include "RunFolder.h"
#include "TrainedModel.h"

#include "latentlab/ModelFile.h"
#include "latentlab/Trainer.h"

#include <QDir>
#include <cstdio>
#include <map>
#include <new>
#include <optional>
#include <string>

namespace latentlab::cli {

namespace {

// "n/a" when training keeps no validation part (validationFraction 0), not a made-up 0.
std::string validationText(const EpochReport& r) {
    if (!r.hasValidation) return "n/a";
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", r.validation.total);
    return text;
}

class ProgressObserver final : public TrainingObserver {
public:
    // With a probe, the model's figures are measured on it after every epoch (`--metrics`).
    ProgressObserver(const Trainer& trainer, int epochs, const Model& model,
                     std::shared_ptr<const app::MetricsProbe> probe)
        : m_trainer(trainer), m_epochs(epochs), m_model(model), m_probe(std::move(probe)) {}

    bool onBatch(const BatchReport& b) override {
        if (interruptSignal() != 0) return false;
        m_steps = b.step;
        const double perEpoch = double(m_trainer.trainingSamples());
        const double done = b.epoch * perEpoch + double(b.batch + 1) * double(m_trainer.config().batchSize);
        m_line.update(std::min(done, perEpoch * m_epochs), perEpoch * m_epochs,
                      QString("epoch %1/%2  loss %3").arg(b.epoch + 1).arg(m_epochs).arg(b.loss.total, 0, 'g', 5));
        return true;
    }
    bool onEpoch(const EpochReport& r) override {
        if (m_probe) {
            // A measurement that fails (out of memory) ends the measuring, not the training.
            try {
                m_metrics.push_back(app::measureEpoch(m_model, *m_probe, r.epoch, m_steps));
            } catch (const std::exception& e) {
                std::fprintf(stderr, "\nlatentlab-cli train: --metrics: measuring epoch %d failed (%s); training goes on, "
                                     "metrics.csv keeps the epochs before it\n",
                             r.epoch, e.what());
                m_probe.reset();
            }
        }
        // Without a terminal, a log line every tenth of the run instead of the live line.
        const int every = std::max(1, m_epochs / 10);
        if (!m_line.enabled() && (r.epoch % every == 0 || r.epoch == m_epochs))
            std::printf("epoch %d/%d  train %.6g  validation %s  %.0f samples/s\n", r.epoch, m_epochs,
                        r.train.total, validationText(r).c_str(), r.samplesPerSecond);
        std::fflush(stdout);
        return true;
    }
    void finish() { m_line.finish(); }
    const std::vector<app::EpochMetrics>& metrics() const { return m_metrics; }

private:
    const Trainer& m_trainer;
    int m_epochs;
    const Model& m_model;
    std::shared_ptr<const app::MetricsProbe> m_probe;
    std::vector<app::EpochMetrics> m_metrics;
    long long m_steps = 0;
    ProgressLine m_line;
};

// Every file of the run into the staging folder, then the folder into place.
void writeRun(app::RunFolder& folder, app::Experiment& e, Trainer& trainer,
              const std::map<std::string, std::string>& extraMetadata, const QString& name,
              const ProgressObserver& observer, bool withMetrics) {
    const data::Dataset& d = e.dataset();
    const Matrix codes = encodeData(e.model(), e.view(), 0, d.rows);
    folder.write("model.llmodel", app::modelFileBytes(e, e.model(), trainer, extraMetadata));
    folder.write("config.json", app::configJson(e.config()));
    folder.write("history.csv", app::historyCsv(trainer.history()));
    folder.write("latent.csv", app::latentCsv(codes, d));
    const QString title = QString("%1 on %2").arg(name.isEmpty() ? "model" : name, QString::fromStdString(d.name));
    folder.write("latent.png", latentPlotPng(codes, d, "Latent space: " + title));
    folder.write("loss.png", lossPlotPng(trainer.history(), "Loss: " + title));
    if (withMetrics) folder.write("metrics.csv", app::metricsCsv(observer.metrics()));
    folder.commit();
}

} // namespace

namespace {
// The options that would change a saved run's configuration: --resume continues it as it was.
const QStringList kFixedOnResume{"preset", "config", "dataset", "batch-size", "lr", "latent-dim", "beta", "seed",
                                 "samples", "noise", "header", "hold-out-class"};

app::RunConfig configFromOptions(const Args& a) {
    if (a.has("preset") && a.has("config")) throw UsageError("give either --preset or --config, not both");
    app::RunConfig c = a.has("config") ? app::loadConfigFile(a.value("config"))
                                       : app::loadPreset(a.value("preset", app::defaultPresetName()));
    if (a.has("dataset")) c.dataset.name = a.value("dataset");
    if (a.has("header")) {
        try {
            c.dataset.csvHeader = data::parseCsvHeader(a.value("header").toStdString());
        } catch (const data::DataError& e) {
            throw UsageError(std::string("--") + e.what()); // "--header: unknown 'x' (choose ...)"
        }
    }
    c.training.epochs = a.integer("epochs", 0, 1000000, c.training.epochs);
    c.training.batchSize = a.integer("batch-size", 1, 1 << 20, c.training.batchSize);
    c.training.learningRate = a.number("lr", c.training.learningRate);
    c.model.latentDim = a.integer("latent-dim", 1, 4096, c.model.latentDim);
    c.model.beta = a.number("beta", c.model.beta);
    if (a.has("seed")) c.training.seed = uint64_t(a.integer("seed", 0, 2147483647, 1));
    c.training.threads = a.integer("threads", 0, 1024, c.training.threads);
    c.dataset.generator.samples = a.integer("samples", 10, 10000000, int(c.dataset.generator.samples));
    c.dataset.generator.noise = a.number("noise", c.dataset.generator.noise);
    c.dataset.holdOutClass = a.integer("hold-out-class", -1, 1000000, c.dataset.holdOutClass);
    return c;
}
} // namespace

int runTrain(const QStringList& args) {
    const Args a(args, {"preset", "config", "dataset", "epochs", "batch-size", "lr", "latent-dim", "beta",
                        "seed", "threads", "out", "samples", "noise", "header", "hold-out-class", "resume"},
                 {"metrics"});
    const QString out = a.required("out");
    // --resume FILE|DIR: the saved run goes on from where it stopped, to --epochs in all.
    std::optional<app::OpenedModel> resumed;
    app::RunConfig c;
    if (a.has("resume")) {
        for (const QString& option : kFixedOnResume)
            if (a.has(option))
                throw UsageError(("--resume continues the saved run as it was configured; --" + option +
                                  " would change it").toStdString());
        resumed = app::openModelFile(app::modelPathIn(a.value("resume")));
        app::requireDataset(*resumed);
        c = resumed->config;
        c.training.epochs = a.integer("epochs", 0, 1000000, c.training.epochs);
        c.training.threads = a.integer("threads", 0, 1024, c.training.threads);
        const int done = resumed->saved.position ? resumed->saved.position->epoch : resumed->epochsDone;
        if (done >= 0 && c.training.epochs <= done)
            throw UsageError(QString("%1 has trained %2 epochs already; give --epochs more than %2 (in all)")
                                 .arg(resumed->path)
                                 .arg(done)
                                 .toStdString());
    } else {
        c = configFromOptions(a);
    }

    // Before anything slow: an --out that cannot take the run is found now, not after training.
    app::RunFolder folder(out);
    installInterruptHandlers();
    app::Experiment e = [&] {
        try {
            return app::Experiment::prepare(c, data::Catalogue());
        } catch (const std::bad_alloc&) {
            throw std::runtime_error("out of memory while loading the dataset " + c.dataset.name.toStdString());
        }
    }();
    const data::Dataset& d = e.dataset();
    if (resumed) {
        app::checkSameData(*resumed, d);
        e.adoptModel(std::move(resumed->saved.model), resumed->path);
    }
    std::printf("training %s on %s (%lld samples x %lld features, %lld for training)\n",
                qPrintable(c.name.isEmpty() ? modelKindName(c.model.kind).c_str() : c.name), d.name.c_str(),
                (long long)d.rows, (long long)d.cols, (long long)d.trainingRows());
    if (e.config().model.layered())
        std::printf("model: %s\n", e.config().model.architectureText().c_str());
    std::fflush(stdout); // shown now, also through a pipe

    Trainer trainer(e.model(), e.view(), d.trainingRows(), e.config().training, !resumed);
    if (resumed) {
        app::continueTraining(trainer, e.model(), *resumed);
        const Index batch = resumed->saved.position ? resumed->saved.position->batch : 0;
        std::printf("resuming %s after %d epochs%s\n", qPrintable(resumed->path), trainer.epochsCompleted(),
                    batch > 0 ? QString(" and %1 batches").arg(batch).toUtf8().constData() : "");
    }
    const bool withMetrics = a.has("metrics");
    ProgressObserver observer(trainer, e.config().training.epochs, e.model(),
                              withMetrics ? app::makeMetricsProbe(e.sharedDataset(), e.model().normalizer()) : nullptr);
    const TrainResult result = [&] {
        try {
            return trainer.run(&observer);
        } catch (const std::bad_alloc&) {
            observer.finish();
            throw std::runtime_error("out of memory while training (batches of " +
                                     std::to_string(e.config().training.batchSize) + " samples); nothing saved");
        }
    }();
    observer.finish();
    if (result.reason == StopReason::NonFinite) throw std::runtime_error("training failed: " + result.message);
    const int signal = interruptSignal();
    std::map<std::string, std::string> metadata; // beside what every model file records
    if (signal != 0) {
        if (result.epochsCompleted == 0) {
            std::fprintf(stderr, "latentlab-cli train: interrupted before the first epoch finished; nothing saved, "
                                 "%s is as it was\n", qPrintable(folder.path()));
            return 128 + signal;
        }
        std::fprintf(stderr, "latentlab-cli train: interrupted after %d of %d epochs; saving the model as trained so "
                             "far (`--resume %s` goes on from there)\n",
                     result.epochsCompleted, e.config().training.epochs, qPrintable(folder.path()));
        metadata["stopped"] = "interrupted after " + std::to_string(result.epochsCompleted) + " of " +
                              std::to_string(e.config().training.epochs) + " epochs";
    }

    // Everything is written only after training, into a folder beside the run folder that
    // then takes its place as a whole: a failure leaves the old run as it was.
    const QString dir = folder.path();
    try {
        writeRun(folder, e, trainer, metadata, c.name, observer, withMetrics);
    } catch (const std::bad_alloc&) {
        throw std::runtime_error("out of memory while writing the run files; " + folder.path().toStdString() +
                                 " is unchanged");
    }


    if (!trainer.history().empty()) {
        const EpochReport& last = trainer.history().back();
        double seconds = 0;
        for (const auto& r : trainer.history()) seconds += r.seconds;
        std::printf("done: %d epochs in %.1f s, train loss %.6g, validation loss %s\n", last.epoch, seconds,
                    last.train.total, validationText(last).c_str());
    }
    std::printf("wrote %s/{%s}\n", qPrintable(dir), qPrintable(folder.written().join(',')));
    return signal != 0 ? 128 + signal : 0;
}

QByteArray latentPlotPng(const Matrix& codes, const data::Dataset& d, const QString& title) {
    const app::ScatterData s = app::latentScatter(codes, d, title);
    return app::plotPng({QSizeF(900, 720)}, [&](QPainter& p, const QRectF& r) { app::paintScatter(p, r, s); });
}

QByteArray lossPlotPng(const std::vector<EpochReport>& history, const QString& title) {
    return app::plotPng({QSizeF(900, 560)},
                  [&](QPainter& p, const QRectF& r) { app::paintLossCurves(p, r, history, false, title); });
}

} // namespace latentlab::cli
