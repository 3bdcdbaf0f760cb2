#include "PlotRenderer.h"

#include <QtMath>
#include <algorithm>
#include <cmath>

namespace latentlab::app {

QColor classColor(int label) {
    static const QRgb tab10[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    return QColor(tab10[((label % 10) + 10) % 10]);
}

QColor colormap(double t) {
    // Piecewise-linear through five viridis anchor colours.
    static const double anchors[5][3] = {
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    t = std::clamp(t, 0.0, 1.0) * 4.0;
    const int i = std::min(3, int(t));
    const double f = t - i;
    auto mix = [&](int c) { return int(anchors[i][c] + f * (anchors[i + 1][c] - anchors[i][c])); };
    return QColor(mix(0), mix(1), mix(2));
}

namespace {
struct Axes {
    QRectF plot;
    double x0, x1, y0, y1;
    QPointF map(double x, double y) const {
        return {plot.left() + (x - x0) / (x1 - x0) * plot.width(),
                plot.bottom() - (y - y0) / (y1 - y0) * plot.height()};
    }
};

double niceStep(double range, int ticks) {
    const double raw = range / std::max(1, ticks);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw) return m * mag;
    return 10 * mag;
}

void drawFrame(QPainter& p, const Axes& a, const QString& title, const QString& xl, const QString& yl,
               bool logY) {
    p.setPen(QPen(Qt::black, 1));
    p.drawRect(a.plot);
    QFont f = p.font();
    f.setPointSizeF(9);
    p.setFont(f);
    const double xs = niceStep(a.x1 - a.x0, 6);
    // Counted, not stepped: far from 0 a step can be below the spacing of doubles.
    const double xFirst = std::ceil(a.x0 / xs) * xs;
    for (int t = 0; t < 50; ++t) {
        const double x = xFirst + t * xs;
        if (!(x <= a.x1 + 1e-12)) break;
        const QPointF q = a.map(x, a.y0);
        p.drawLine(q, q + QPointF(0, 4));
        p.drawText(QRectF(q.x() - 40, q.y() + 5, 80, 16), Qt::AlignHCenter | Qt::AlignTop, QString::number(x, 'g', 4));
    }
    const double ys = niceStep(a.y1 - a.y0, 6);
    const double yFirst = std::ceil(a.y0 / ys) * ys;
    for (int t = 0; t < 50; ++t) {
        const double y = yFirst + t * ys;
        if (!(y <= a.y1 + 1e-12)) break;
        const QPointF q = a.map(a.x0, y);
        p.drawLine(q, q - QPointF(4, 0));
        const QString label = logY ? QString::number(std::pow(10.0, y), 'g', 3) : QString::number(y, 'g', 4);
        p.drawText(QRectF(q.x() - 66, q.y() - 8, 60, 16), Qt::AlignRight | Qt::AlignVCenter, label);
    }
    p.drawText(QRectF(a.plot.left(), a.plot.bottom() + 22, a.plot.width(), 18), Qt::AlignHCenter, xl);
    p.save();
    p.translate(a.plot.left() - 62, a.plot.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-a.plot.height() / 2, -18, a.plot.height(), 18), Qt::AlignHCenter, yl);
    p.restore();
    f.setPointSizeF(11);
    f.setBold(true);
    p.setFont(f);
    p.drawText(QRectF(a.plot.left(), a.plot.top() - 26, a.plot.width(), 22), Qt::AlignHCenter, title);
    f.setBold(false);
    f.setPointSizeF(9);
    p.setFont(f);
}
} // namespace

ScatterData latentScatter(const Matrix& codes, const data::Dataset& d, const QString& title, int dimX, int dimY) {
    ScatterData s;
    s.points.resize(2, codes.cols());
    s.points.row(0) = codes.row(dimX);
    s.xLabel = QString("z%1").arg(dimX);
    if (codes.rows() > 1) {
        s.points.row(1) = codes.row(dimY);
        s.yLabel = QString("z%1").arg(dimY);
    } else {
        for (Index i = 0; i < codes.cols(); ++i) s.points(1, i) = d.labels.empty() ? Scalar(i) : Scalar(d.labels[size_t(i)]);
        s.yLabel = d.labels.empty() ? "sample" : QString::fromStdString(d.labelName);
    }
    s.labels = d.labels;
    s.labelKind = d.labelKind;
    s.classNames = d.classNames;
    s.labelName = QString::fromStdString(d.labelName);
    s.title = title;
    return s;
}

void paintScatter(QPainter& p, const QRectF& area, const ScatterData& d) {
    p.fillRect(area, Qt::white);
    const Index n = d.points.cols();
    double x0 = -1, x1 = 1, y0 = -1, y1 = 1;
    if (n > 0) {
        x0 = d.points.row(0).minCoeff(), x1 = d.points.row(0).maxCoeff();
        y0 = d.points.row(1).minCoeff(), y1 = d.points.row(1).maxCoeff();
        const double px = std::max(1e-9, (x1 - x0) * 0.05), py = std::max(1e-9, (y1 - y0) * 0.05);
        x0 -= px, x1 += px, y0 -= py, y1 += py;
    }
    const double legendWidth = d.labelKind == data::LabelKind::None ? 10 : 130;
    Axes a{QRectF(area.left() + 80, area.top() + 40, area.width() - 110 - legendWidth, area.height() - 90),
           x0, x1, y0, y1};
    drawFrame(p, a, d.title, d.xLabel, d.yLabel, false);

    float lo = 0, hi = 1;
    if (!d.labels.empty()) {
        lo = *std::min_element(d.labels.begin(), d.labels.end());
        hi = *std::max_element(d.labels.begin(), d.labels.end());
    }
    const double r = n > 20000 ? 1.2 : n > 3000 ? 1.8 : 2.6;
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(Qt::NoPen);
    p.save();
    p.setClipRect(a.plot);
    for (Index i = 0; i < n; ++i) {
        QColor c(60, 90, 160);
        if (!d.labels.empty()) {
            const float l = d.labels[size_t(i)];
            c = d.labelKind == data::LabelKind::Class ? classColor(int(std::lround(l)))
                                                      : colormap(hi > lo ? (l - lo) / (hi - lo) : 0.5);
        }
        c.setAlphaF(n > 20000 ? 0.5 : 0.8);
        p.setBrush(c);
        p.drawEllipse(a.map(d.points(0, i), d.points(1, i)), r, r);
    }
    p.restore();

    // Legend: classes as swatches, continuous labels as a colour bar.
    const double lx = a.plot.right() + 14;
    p.setPen(Qt::black);
    if (d.labelKind == data::LabelKind::Class) {
        const int classes = int(std::lround(hi)) + 1;
        for (int c = 0; c < std::min(classes, 20); ++c) {
            const double y = a.plot.top() + 6 + c * 18;
            p.setBrush(classColor(c));
            p.drawEllipse(QPointF(lx + 5, y + 7), 5, 5);
            const QString name = size_t(c) < d.classNames.size() ? QString::fromStdString(d.classNames[size_t(c)])
                                                                 : QString::number(c);
            p.drawText(QRectF(lx + 14, y, legendWidth - 16, 16), Qt::AlignLeft | Qt::AlignVCenter, name);
        }
    } else if (d.labelKind == data::LabelKind::Continuous) {
        const QRectF bar(lx, a.plot.top() + 20, 16, a.plot.height() - 40);
        for (int i = 0; i < int(bar.height()); ++i)
            p.fillRect(QRectF(bar.left(), bar.bottom() - i - 1, bar.width(), 1), colormap(i / bar.height()));
        p.setBrush(Qt::NoBrush);
        p.drawRect(bar);
        p.drawText(QRectF(lx + 20, bar.top() - 8, 90, 16), Qt::AlignLeft, QString::number(hi, 'g', 3));
        p.drawText(QRectF(lx + 20, bar.bottom() - 8, 90, 16), Qt::AlignLeft, QString::number(lo, 'g', 3));
        p.drawText(QRectF(lx - 4, bar.top() - 30, legendWidth, 16), Qt::AlignLeft, d.labelName);
    }
}

void paintLossCurves(QPainter& p, const QRectF& area, const std::vector<EpochReport>& h, bool logScale,
                     const QString& title) {
    p.fillRect(area, Qt::white);
    struct Series {
        QString name;
        QColor color;
        std::function<double(const EpochReport&)> value;
        bool dashed;
    };
    std::vector<Series> series{{"train loss", classColor(0), [](const EpochReport& r) { return r.train.total; }, false}};
    const bool hasVal = !h.empty() && h.front().hasValidation;
    const bool hasKl = !h.empty() && h.front().train.kl != 0.0;
    if (hasVal)
        series.push_back({"validation loss", classColor(1), [](const EpochReport& r) { return r.validation.total; }, false});
    if (hasKl) {
        series.push_back({"train reconstruction", classColor(2), [](const EpochReport& r) { return r.train.reconstruction; }, true});
        series.push_back({"train KL", classColor(3), [](const EpochReport& r) { return r.train.kl; }, true});
    }
    auto tr = [&](double v) { return logScale ? std::log10(std::max(v, 1e-12)) : v; };
    double y0 = INFINITY, y1 = -INFINITY;
    for (const auto& s : series)
        for (const auto& r : h) {
            y0 = std::min(y0, tr(s.value(r)));
            y1 = std::max(y1, tr(s.value(r)));
        }
    if (!(y1 > y0)) y0 = (std::isfinite(y0) ? y0 : 0) - 1, y1 = y0 + 2;
    const double pad = (y1 - y0) * 0.05;
    Axes a{QRectF(area.left() + 80, area.top() + 40, area.width() - 110, area.height() - 90), 1,
           std::max(2.0, double(h.size())), y0 - pad, y1 + pad};
    drawFrame(p, a, title, "epoch", logScale ? "loss (log scale)" : "loss per sample", logScale);
    p.setRenderHint(QPainter::Antialiasing, true);
    int row = 0;
    for (const auto& s : series) {
        QPen pen(s.color, 2);
        if (s.dashed) pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        QPolygonF line;
        for (const auto& r : h) line << a.map(r.epoch, tr(s.value(r)));
        p.drawPolyline(line);
        const double y = a.plot.top() + 8 + row++ * 18;
        p.drawLine(QPointF(a.plot.right() - 170, y + 8), QPointF(a.plot.right() - 145, y + 8));
        p.setPen(Qt::black);
        p.drawText(QRectF(a.plot.right() - 140, y, 135, 16), Qt::AlignLeft | Qt::AlignVCenter, s.name);
    }
}

namespace {
void legendLine(QPainter& p, const Axes& a, int row, const QPen& pen, const QString& text) {
    const double y = a.plot.top() + 8 + row * 18;
    p.fillRect(QRectF(a.plot.right() - 196, y - 1, 192, 18), QColor(255, 255, 255, 220));
    p.setPen(pen);
    p.drawLine(QPointF(a.plot.right() - 190, y + 8), QPointF(a.plot.right() - 165, y + 8));
    p.setPen(Qt::black);
    p.drawText(QRectF(a.plot.right() - 160, y, 155, 16), Qt::AlignLeft | Qt::AlignVCenter, text);
}
} // namespace

void paintMetrics(QPainter& p, const QRectF& area, const std::vector<EpochMetrics>& rows, const QString& title) {
    p.fillRect(area, Qt::white);
    double e0 = INFINITY, e1 = -INFINITY, m0 = INFINITY, m1 = -INFINITY;
    for (const EpochMetrics& m : rows) {
        e0 = std::min(e0, m.epoch);
        e1 = std::max(e1, m.epoch);
        if (std::isfinite(m.msePerFeature)) m0 = std::min(m0, m.msePerFeature), m1 = std::max(m1, m.msePerFeature);
    }
    if (!(e1 > e0)) e0 = (std::isfinite(e0) ? e0 : 0) - 1, e1 = e0 + 2;
    if (!(m1 > m0)) m0 = (std::isfinite(m0) ? m0 : 0) * 0.9, m1 = m0 * 1.25 + 1e-3;
    // The first epochs' error is often ten times the last: then a log axis shows the rest.
    const bool logMse = m0 > 0 && m1 / m0 > 10;
    auto mse = [logMse](double v) { return logMse ? std::log10(std::max(v, 1e-12)) : v; };
    const double split = area.top() + area.height() * 0.55;
    const Axes top{QRectF(area.left() + 80, area.top() + 40, area.width() - 110, split - area.top() - 60), e0, e1, 0, 1.02};
    const double mPad = (mse(m1) - mse(m0)) * 0.08;
    const Axes bottom{QRectF(area.left() + 80, split + 10, area.width() - 110, area.bottom() - split - 60), e0, e1,
                      logMse ? mse(m0) - mPad : std::max(0.0, m0 - mPad), mse(m1) + mPad};
    drawFrame(p, top, title, QString(), "score", false);
    drawFrame(p, bottom, QString(), "epoch", logMse ? "MSE (log scale)" : "MSE", logMse);
    struct Series {
        QString name;
        std::function<std::optional<double>(const EpochMetrics&)> value;
    };
    const std::vector<Series> quality{
        {"k-NN accuracy (k = 5)", [](const EpochMetrics& m) { return m.knnAccuracy; }},
        {"trustworthiness (k = 10)", [](const EpochMetrics& m) { return m.trustworthiness; }},
        {"R² of the label", [](const EpochMetrics& m) { return m.labelR2; }}};
    p.setRenderHint(QPainter::Antialiasing, true);
    auto curve = [&](const Axes& a, const Series& s, const QColor& colour, int legendRow) {
        QPolygonF line;
        for (const EpochMetrics& m : rows)
            if (const auto v = s.value(m); v && std::isfinite(*v)) line << a.map(m.epoch, *v);
        if (line.isEmpty()) return false;
        const QPen pen(colour, 2);
        p.setPen(pen);
        p.drawPolyline(line);
        p.setBrush(colour);
        for (const QPointF& q : line) p.drawEllipse(q, 2.5, 2.5);
        p.setBrush(Qt::NoBrush);
        legendLine(p, a, legendRow, pen, s.name);
        return true;
    };
    int row = 0;
    for (size_t i = 0; i < quality.size(); ++i)
        if (curve(top, quality[i], classColor(int(i)), row)) ++row;
    curve(bottom, {"MSE per feature", [mse](const EpochMetrics& m) { return std::optional<double>(mse(m.msePerFeature)); }},
          classColor(3), 0);
}

void paintErrorHistograms(QPainter& p, const QRectF& area, const std::vector<double>& normal,
                          const std::vector<double>& anomalies, double threshold, const QString& anomalyName,
                          const QString& title) {
    p.fillRect(area, Qt::white);
    // Bins over the finite errors of both groups (and the threshold), 40 of them.
    double lo = INFINITY, hi = -INFINITY;
    for (const auto* v : {&normal, &anomalies})
        for (double x : *v)
            if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
    if (std::isfinite(threshold)) lo = std::min(lo, threshold), hi = std::max(hi, threshold);
    if (!(hi > lo)) lo = std::isfinite(lo) ? lo - 1 : 0, hi = lo + 2;
    constexpr int kBins = 40;
    const double width = (hi - lo) / kBins;
    auto shares = [&](const std::vector<double>& v) {
        std::vector<double> h(kBins, 0.0);
        for (double x : v)
            if (std::isfinite(x)) h[size_t(std::clamp(int((x - lo) / width), 0, kBins - 1))] += 1.0;
        for (double& c : h) c /= std::max<double>(1.0, double(v.size()));
        return h;
    };
    const std::vector<double> hn = shares(normal), ha = shares(anomalies);
    const double top = std::max(*std::max_element(hn.begin(), hn.end()), *std::max_element(ha.begin(), ha.end()));
    Axes a{QRectF(area.left() + 80, area.top() + 40, area.width() - 110, area.height() - 90), lo, hi, 0,
           top > 0 ? top * 1.08 : 1.0};
    drawFrame(p, a, title, "reconstruction error", "share of samples", false);
    p.setRenderHint(QPainter::Antialiasing, true);
    const QColor cn = classColor(0), ca = classColor(3);
    for (const auto& [h, c] : {std::pair{&hn, cn}, std::pair{&ha, ca}}) {
        QColor fill = c;
        fill.setAlphaF(0.45);
        p.setPen(QPen(c, 1));
        p.setBrush(fill);
        for (int b = 0; b < kBins; ++b)
            if ((*h)[size_t(b)] > 0)
                p.drawRect(QRectF(a.map(lo + b * width, (*h)[size_t(b)]), a.map(lo + (b + 1) * width, 0)));
    }
    QPen dash(Qt::black, 2, Qt::DashLine);
    if (std::isfinite(threshold)) {
        p.setPen(dash);
        p.drawLine(a.map(threshold, a.y0), a.map(threshold, a.y1));
    }
    p.setBrush(Qt::NoBrush);
    legendLine(p, a, 0, QPen(cn, 6), QString("normal (%1)").arg(normal.size()));
    legendLine(p, a, 1, QPen(ca, 6), QString("%1 (%2)").arg(anomalyName).arg(anomalies.size()));
    legendLine(p, a, 2, dash, QString("threshold %1").arg(threshold, 0, 'g', 4));
}

void paintRoc(QPainter& p, const QRectF& area, const RocCurve& roc, double falsePositiveRate,
              double truePositiveRate, const QString& title) {
    p.fillRect(area, Qt::white);
    // A square plot: the curve's shape reads right only at equal scales.
    const double side = std::min(area.width() - 110, area.height() - 90);
    Axes a{QRectF(area.left() + 80, area.top() + 40, side, side), 0, 1, 0, 1};
    drawFrame(p, a, title, "false positive rate", "true positive rate", false);
    p.setRenderHint(QPainter::Antialiasing, true);
    const QPen chance(Qt::gray, 1, Qt::DashLine);
    p.setPen(chance);
    p.drawLine(a.map(0, 0), a.map(1, 1));
    const QPen curve(classColor(0), 2);
    p.setPen(curve);
    QPolygonF line;
    for (const RocPoint& r : roc.points) line << a.map(r.falsePositiveRate, r.truePositiveRate);
    p.drawPolyline(line);
    p.setBrush(classColor(3));
    p.setPen(Qt::NoPen);
    p.drawEllipse(a.map(falsePositiveRate, truePositiveRate), 5, 5);
    p.setBrush(Qt::NoBrush);
    // Legend at the bottom right, where a good curve leaves room.
    const Axes low{QRectF(a.plot.left(), a.plot.bottom() - 70, a.plot.width(), 70), 0, 1, 0, 1};
    legendLine(p, low, 0, curve, QString("ROC, AUC %1").arg(roc.auc, 0, 'f', 3));
    legendLine(p, low, 1, chance, "chance");
    legendLine(p, low, 2, QPen(classColor(3), 6), "at the threshold");
}

} // namespace latentlab::app
