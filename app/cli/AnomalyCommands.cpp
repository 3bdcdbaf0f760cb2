#include "AnomalyCommands.h"

#include "AnomalyReport.h"
#include "PlotRenderer.h"
#include "RunPlots.h"

#include "latentlab/ModelConfig.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <cstdio>

namespace latentlab::cli {

namespace {

// --anomaly-class, or the class the run left out of training.
app::AnomalyReport reportFor(const LoadedRun& run, const Args& a) {
    const double q = a.number("threshold-quantile", 0.95);
    if (!(q >= 0.5 && q <= 1.0)) throw UsageError("--threshold-quantile: a share between 0.5 and 1, such as 0.95");
    const int held = run.config.dataset.holdOutClass;
    if (!a.has("anomaly-class") && held < 0)
        throw UsageError((run.source + ": give --anomaly-class N (this run trained on every class; train with "
                                       "--hold-out-class N to learn the others as normal)").toStdString());
    const int cls = a.has("anomaly-class") ? a.integer("anomaly-class", 0, 1000000, 0) : held;
    const data::Dataset d = datasetFor(run, a);
    return app::anomalyReport(*run.saved.model, d, cls, cls == held, q);
}

} // namespace

int evalAnomaly(const LoadedRun& run, const Args& a) {
    const app::AnomalyReport r = reportFor(run, a);
    QJsonObject o = r.toJson();
    o["model_kind"] = QString::fromStdString(modelKindName(run.saved.model->kind()));
    o["dataset"] = run.config.dataset.name;
    if (!r.leftOutOfTraining)
        o["note"] = QString("the model saw class %1 in training, so its errors there are no test of finding the "
                            "unseen; train with --hold-out-class %1")
                        .arg(r.anomalyClass);
    std::fputs(QJsonDocument(o).toJson(QJsonDocument::Indented).constData(), stdout);
    return 0;
}

void plotAnomaly(const QString& out, const QString& kind, const LoadedRun& run, const Args& a) {
    const app::AnomalyReport r = reportFor(run, a);
    const QString name = QFileInfo(run.source).dir().dirName();
    if (kind == "roc") {
        const Confusion& c = r.atThreshold;
        app::savePlot(out, plotPage(a, QSizeF(760, 720)), [&](QPainter& p, const QRectF& area) {
            app::paintRoc(p, area, r.roc, c.falsePositiveRate(), c.recall(),
                          QString("ROC, class %1 as the anomaly: %2").arg(r.className, name));
        });
    } else {
        app::savePlot(out, plotPage(a, QSizeF(900, 560)), [&](QPainter& p, const QRectF& area) {
            app::paintErrorHistograms(p, area, r.normalScores(), r.anomalyScores(), r.threshold,
                                      "class " + r.className,
                                      QString("Reconstruction errors of the test part: %1").arg(name));
        });
    }
}

} // namespace latentlab::cli
