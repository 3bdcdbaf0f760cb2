// Commands that use a trained model: encode, decode, sample, eval, plot.
#include "AnomalyCommands.h"
#include "Args.h"
#include "Commands.h"

#include "Evaluation.h"
#include "Experiment.h"
#include "HistoryCsv.h"
#include "PlotRenderer.h"
#include "RunFiles.h"
#include "LoadedRun.h"
#include "RunPlots.h"

#include "latentlab/Batch.h"
#include "latentlab/LatentGrid.h"
#include "latentlab/Metrics.h"
#include "latentlab/ModelFile.h"
#include "latentlab/Vae.h"

#include <QFile>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace latentlab::cli {

namespace {

// Decoded values are finite for any sound model; a file with, say, infinite weights or
// normaliser values must not turn into a CSV of "inf" and status 0.
void requireFinite(const Matrix& decoded, const QString& source) {
    if (!decoded.allFinite())
        throw std::runtime_error((source + ": the model decodes to values that are not finite numbers; "
                                           "the file's weights or normaliser are damaged").toStdString());
}

// Writes decoded samples (columns, normalised units) as an image grid or as CSV rows in
// the data's own units.
void writeDecoded(const QString& path, const LoadedRun& run, const Matrix& decoded, const Matrix& codes) {
    const Model& model = *run.saved.model;
    if (path.endsWith(".csv", Qt::CaseInsensitive)) {
        Matrix raw = decoded;
        model.normalizer().invert(raw);
        QByteArray out;
        for (Index k = 0; k < codes.rows(); ++k) out += (k ? ",z" : "z") + QByteArray::number(qlonglong(k));
        for (Index f = 0; f < raw.rows(); ++f) out += ",x" + QByteArray::number(qlonglong(f));
        out += '\n';
        for (Index i = 0; i < raw.cols(); ++i) {
            for (Index k = 0; k < codes.rows(); ++k) out += (k ? "," : "") + QByteArray::number(codes(k, i), 'g', 9);
            for (Index f = 0; f < raw.rows(); ++f) out += ',' + QByteArray::number(raw(f, i), 'g', 9);
            out += '\n';
        }
        app::writeFileAtomic(path, out);
    } else if (path.endsWith(".png", Qt::CaseInsensitive)) {
        if (!isImageModel(run))
            throw app::ConfigFileError(
                (path + ": PNG output needs a model of images; this model's data are not images, use .csv").toStdString());
        // In the data's units, drawn as the window draws them.
        Matrix raw = decoded;
        model.normalizer().invert(raw);
        const int columns = int(std::min<Index>(decoded.cols(), 10));
        app::saveImage(path, app::imageGrid(raw, run.imageWidth, run.imageHeight, columns, decoded.cols() == 1 ? 8 : 3));
    } else {
        throw app::ConfigFileError((path + ": unknown output format (use .png or .csv)").toStdString());
    }
}

} // namespace

int runEncode(const QStringList& args) {
    const Args a(args, {"model", "dataset", "out"});
    const QString out = a.required("out");
    const LoadedRun run = loadRun(a.required("model"));
    const data::Dataset d = datasetFor(run, a);
    const Matrix codes = encodeData(*run.saved.model, app::viewOf(d), 0, d.rows);
    app::writeFileAtomic(out, app::latentCsv(codes, d));
    std::printf("wrote %lld codes of dimension %lld to %s\n", (long long)codes.cols(), (long long)codes.rows(),
                qPrintable(out));
    return 0;
}

// A latent code written as "0.5,-1.2" for option --`option`, one value per latent dimension.
Vector parseCode(const QString& option, const QString& text, Index latentDim) {
    const QStringList parts = text.split(',');
    for (int k = 0; k < parts.size(); ++k)
        if (parts[k].trimmed().isEmpty())
            throw UsageError(QString("--%1: value %2 is empty").arg(option).arg(k + 1).toStdString());
    if (parts.size() != latentDim)
        throw UsageError(QString("--%1: the model's latent space has %2 dimensions, got %3 values")
                             .arg(option).arg(latentDim).arg(parts.size()).toStdString());
    Vector z(latentDim);
    for (int k = 0; k < parts.size(); ++k) {
        const QString value = parts[k].trimmed();
        bool ok = false;
        const double v = value.toDouble(&ok);
        const QString beyond = "--" + option + ": '" + value + "' is beyond the range of float (about ±3.4e38)";
        if (!ok) {
            // QString::toDouble also fails on overflow; tell the two apart.
            if (std::isinf(std::strtod(value.toLatin1().constData(), nullptr))) throw UsageError(beyond.toStdString());
            throw UsageError(("--" + option + ": '" + value + "' is not a number").toStdString());
        }
        if (!std::isfinite(v) || std::abs(v) > double(std::numeric_limits<Scalar>::max()))
            throw UsageError(beyond.toStdString());
        z(k) = Scalar(v);
    }
    return z;
}

int runDecode(const QStringList& args) {
    const Args a(args, {"model", "z", "out"});
    const QString out = a.required("out");
    const LoadedRun run = loadRun(a.required("model"));
    const Model& model = *run.saved.model;
    const Matrix z = parseCode("z", a.required("z"), model.latentDim());
    Matrix x;
    model.decode(z, x);
    requireFinite(x, run.source);
    writeDecoded(out, run, x, z);
    std::printf("decoded z = (%s) to %s\n", qPrintable(a.value("z")), qPrintable(out));
    return 0;
}

int runSample(const QStringList& args) {
    const Args a(args, {"model", "count", "seed", "out"});
    const QString out = a.required("out");
    const int count = a.integer("count", 1, 100000, 64);
    const LoadedRun run = loadRun(a.required("model"));
    const auto* vae = dynamic_cast<const Vae*>(run.saved.model.get());
    if (!vae)
        throw UsageError((run.source + ": sampling needs a VAE, this is a deterministic autoencoder "
                                       "(its latent space has no prior)").toStdString());
    Rng rng(uint64_t(a.integer("seed", 0, 2147483647, 1)));
    Matrix x, z;
    vae->sample(count, rng, x, &z);
    requireFinite(x, run.source);
    writeDecoded(out, run, x, z);
    std::printf("wrote %d samples from the prior to %s\n", count, qPrintable(out));
    return 0;
}

int runEval(const QStringList& args) {
    const Args a(args, {"model", "dataset", "seed", "anomaly-class", "threshold-quantile"});
    const LoadedRun run = loadRun(a.required("model"));
    if (a.has("anomaly-class") || a.has("threshold-quantile")) return evalAnomaly(run, a);
    const data::Dataset d = datasetFor(run, a);
    const app::EvaluationResult r =
        app::evaluate(*run.saved.model, d, uint64_t(a.integer("seed", 0, 2147483647, 1)));
    QJsonObject o = r.toJson();
    o["dataset"] = QString::fromStdString(d.name);
    o["model_kind"] = QString::fromStdString(modelKindName(run.saved.model->kind()));
    o["latent_dim"] = double(run.saved.model->latentDim());
    std::fputs(QJsonDocument(o).toJson(QJsonDocument::Indented).constData(), stdout);
    return 0;
}

namespace {

void plotGrid(const QString& out, const LoadedRun& run, const Args& a, int dimX, int dimY) {
    const Model& model = *run.saved.model;
    if (!isImageModel(run))
        throw UsageError((run.source + ": --kind grid draws decoded images; this model's data are not images").toStdString());
    LatentGridSpec spec;
    spec.steps = a.integer("grid", 2, 64, 15);
    spec.dimX = dimX;
    spec.dimY = dimY;
    Vector base = Vector::Zero(model.latentDim());
    QString how;
    if (model.kind() == ModelKind::Vae) {
        spec.gaussian = true;
        spec.spread = a.number("spread", 1.0);
        how = QString("at the quantiles of the prior N(0, 1), times %1").arg(spec.spread);
    } else {
        // An autoencoder's codes have no prior: the box holds the middle 98 % of the data's
        // codes along each axis, the other dimensions at the codes' mean.
        const data::Dataset d = datasetFor(run, a);
        const Matrix codes = encodeData(model, app::viewOf(d), 0, d.rows);
        if (!fitGridBox(spec, codes))
            throw std::runtime_error((run.source + ": the data encode to no finite codes").toStdString());
        base = meanCode(codes);
        how = QString("z%1 %2..%3, z%4 %5..%6").arg(dimX).arg(spec.xMin, 0, 'g', 3).arg(spec.xMax, 0, 'g', 3).arg(dimY)
                  .arg(spec.yMin, 0, 'g', 3).arg(spec.yMax, 0, 'g', 3);
    }
    const Matrix codes = gridCodes(spec, base);
    Matrix decoded;
    model.decode(codes, decoded);
    requireFinite(decoded, run.source);
    model.normalizer().invert(decoded);
    const QImage grid = app::imageGrid(decoded, run.imageWidth, run.imageHeight, spec.steps, 2);
    app::savePlot(out, plotPage(a, grid.size()), [&](QPainter& p, const QRectF& r) { app::paintImageFitted(p, r, grid); });
    std::printf("wrote a %dx%d grid of decoded images (%s) to %s\n", spec.steps, spec.steps, qPrintable(how),
                qPrintable(out));
}

// The decoded path between two codes: those of two samples of the data (--between I,J), or
// points of the latent space (--from-z, --to-z), or one of each.
void plotInterpolation(const QString& out, const LoadedRun& run, const Args& a) {
    const Model& model = *run.saved.model;
    if (!isImageModel(run))
        throw UsageError((run.source + ": --kind interpolation draws decoded images; this model's data are not images")
                             .toStdString());
    const bool fromPoint = a.has("from-z"), toPoint = a.has("to-z");
    Vector ends[2];
    QString names[2];
    if (fromPoint && toPoint && a.has("between"))
        throw UsageError("--between has no end left to set: --from-z and --to-z give both ends");
    if (fromPoint) ends[0] = parseCode("from-z", a.value("from-z"), model.latentDim());
    if (toPoint) ends[1] = parseCode("to-z", a.value("to-z"), model.latentDim());
    if (!fromPoint || !toPoint) {
        if (!a.has("between"))
            throw UsageError("--kind interpolation: give --between I,J (two samples), or --from-z and --to-z (two "
                             "points), or one sample and one point");
        const data::Dataset d = datasetFor(run, a);
        const QStringList rows = a.value("between").split(',');
        bool okA = false, okB = false;
        const qlonglong rowA = rows.size() == 2 ? rows[0].trimmed().toLongLong(&okA) : -1;
        const qlonglong rowB = rows.size() == 2 ? rows[1].trimmed().toLongLong(&okB) : -1;
        if (!okA || !okB || rowA < 0 || rowB < 0 || rowA >= d.rows || rowB >= d.rows)
            throw UsageError(QString("--between: two sample numbers of 0..%1 such as \"3,17\" (got \"%2\")")
                                 .arg(d.rows - 1)
                                 .arg(a.value("between"))
                                 .toStdString());
        const Index picked[2] = {Index(rowA), Index(rowB)};
        Matrix x, z;
        gatherBatch(app::viewOf(d), model.normalizer(), picked, 2, x);
        model.encode(x, z);
        for (int e = 0; e < 2; ++e)
            if (!(e == 0 ? fromPoint : toPoint)) {
                ends[e] = z.col(e);
                names[e] = QString("sample %1").arg(picked[e]);
            }
    }
    for (int e = 0; e < 2; ++e)
        if (names[e].isEmpty()) names[e] = "point (" + a.value(e == 0 ? "from-z" : "to-z") + ")";
    const bool spherical = model.kind() == ModelKind::Vae && !a.has("linear");
    const int steps = a.integer("steps", 2, 100, 10);
    Matrix decoded;
    model.decode(interpolateCodes(ends[0], ends[1], steps, spherical), decoded);
    requireFinite(decoded, run.source);
    model.normalizer().invert(decoded);
    const QImage strip = app::imageGrid(decoded, run.imageWidth, run.imageHeight, steps, 2);
    app::savePlot(out, plotPage(a, strip.size()), [&](QPainter& p, const QRectF& r) { app::paintImageFitted(p, r, strip); });
    std::printf("wrote %d decoded codes from %s to %s (%s) to %s\n", steps, qPrintable(names[0]), qPrintable(names[1]),
                spherical ? "spherical" : "linear", qPrintable(out));
}

} // namespace

app::PlotPage plotPage(const Args& a, QSizeF fallback) {
    app::PlotPage page{fallback};
    if (a.has("size")) {
        const std::optional<QSizeF> size = app::parsePlotSize(a.value("size"));
        if (!size)
            throw UsageError(QString("--size: width x height in points such as \"900x560\" (got \"%1\")")
                                 .arg(a.value("size"))
                                 .toStdString());
        page.size = *size;
    }
    if (a.has("dpi")) {
        bool ok = false;
        page.dpi = a.value("dpi").toDouble(&ok);
        if (!ok) throw UsageError(QString("--dpi: a number such as 300 (got \"%1\")").arg(a.value("dpi")).toStdString());
    }
    const QString problem = page.problem();
    if (!problem.isEmpty()) throw UsageError(("--size/--dpi: " + problem).toStdString());
    return page;
}

int runPlot(const QStringList& args) {
    const Args a(args, {"model", "kind", "out", "dataset", "grid", "dims", "spread", "between", "from-z", "to-z", "steps",
                        "anomaly-class", "threshold-quantile", "size", "dpi"},
                 {"linear"});
    const QString kind = a.required("kind");
    const QString out = a.required("out");
    static const QStringList kinds{"latent", "pca", "loss", "metrics", "grid", "interpolation", "anomaly", "roc"};
    if (!kinds.contains(kind))
        throw UsageError(("--kind: unknown '" + kind + "' (choose " + kinds.join(", ") + ")").toStdString());
    if (!out.endsWith(".png", Qt::CaseInsensitive) && !out.endsWith(".svg", Qt::CaseInsensitive) &&
        !out.endsWith(".pdf", Qt::CaseInsensitive))
        throw UsageError((out + ": unknown plot format (use .png, .svg or .pdf)").toStdString());
    if (a.has("dpi") && !out.endsWith(".png", Qt::CaseInsensitive))
        throw UsageError((out + ": --dpi sets a PNG's pixels; an SVG or a PDF is vector, sized by --size alone").toStdString());
    plotPage(a, QSizeF(900, 560)); // a malformed --size or --dpi fails before any work
    const LoadedRun run = loadRun(a.required("model"));
    const Model& model = *run.saved.model;
    int dimX = 0, dimY = 1;
    if (a.has("dims")) {
        const QStringList d = a.value("dims").split(',');
        bool okX = false, okY = false;
        if (d.size() == 2) {
            dimX = d[0].trimmed().toInt(&okX);
            dimY = d[1].trimmed().toInt(&okY);
        }
        if (!okX || !okY || dimX < 0 || dimY < 0 || dimX >= model.latentDim() || dimY >= model.latentDim() || dimX == dimY)
            throw UsageError(QString("--dims: two different latent dimensions of 0..%1 such as \"0,1\" (got \"%2\")")
                                 .arg(model.latentDim() - 1)
                                 .arg(a.value("dims"))
                                 .toStdString());
    } else if (model.latentDim() < 2 && kind == "grid") {
        throw UsageError((run.source + ": --kind " + kind + " needs a latent space of 2 or more dimensions").toStdString());
    }
    const QString name = QFileInfo(run.source).dir().dirName();
    if (kind == "loss") {
        const std::vector<EpochReport>& history = run.history;
        for (const QString& problem : run.historyProblems)
            std::fprintf(stderr, "latentlab-cli plot: %s: history: %s (skipped)\n", qPrintable(run.source),
                         qPrintable(problem));
        if (history.empty())
            throw std::runtime_error((run.source + ": no loss history beside it (history.csv) or in it").toStdString());
        app::savePlot(out, plotPage(a, QSizeF(900, 560)),
                      [&](QPainter& p, const QRectF& r) { app::paintLossCurves(p, r, history, false, "Loss: " + name); });
    } else if (kind == "metrics") {
        const QString path = QFileInfo(run.source).dir().filePath("metrics.csv");
        QFile file(path);
        if (!file.exists())
            throw std::runtime_error((path + ": not found; `latentlab-cli train --metrics` writes it").toStdString());
        if (!file.open(QIODevice::ReadOnly)) throw std::runtime_error((path + ": " + file.errorString()).toStdString());
        const std::vector<app::EpochMetrics> rows = app::parseMetricsCsv(file.readAll(), path);
        if (rows.empty()) throw std::runtime_error((path + ": has no rows").toStdString());
        app::savePlot(out, plotPage(a, QSizeF(900, 640)),
                      [&](QPainter& p, const QRectF& r) { app::paintMetrics(p, r, rows, "Metrics: " + name); });
    } else if (kind == "grid") {
        plotGrid(out, run, a, dimX, dimY);
        return 0;
    } else if (kind == "interpolation") {
        plotInterpolation(out, run, a);
        return 0;
    } else if (kind == "anomaly" || kind == "roc") {
        plotAnomaly(out, kind, run, a);
    } else {
        const data::Dataset d = datasetFor(run, a);
        const DataView view = app::viewOf(d);
        Matrix points;
        if (kind == "latent") {
            points = encodeData(model, view, 0, d.rows);
        } else {
            points = app::pcaPlane(model, d); // PCA of the same data in the model's units
        }
        app::ScatterData s = app::latentScatter(points, d, (kind == "latent" ? "Latent space: " : "PCA: ") + name,
                                           kind == "latent" ? dimX : 0, kind == "latent" ? dimY : 1);
        if (kind == "pca") {
            s.xLabel = "PC1";
            s.yLabel = points.rows() > 1 ? "PC2" : s.yLabel;
        }
        app::savePlot(out, plotPage(a, QSizeF(900, 720)), [&](QPainter& p, const QRectF& r) { app::paintScatter(p, r, s); });
    }
    std::printf("wrote the %s plot to %s\n", qPrintable(kind), qPrintable(out));
    return 0;
}

} // namespace latentlab::cli
