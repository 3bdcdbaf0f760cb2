#include "views/plots/LossPlot.h"

#include "views/plots/PlotTheme.h"

#include <cmath>
#include <limits>

namespace latentlab::gui {

LossPlot::LossPlot(QWidget* parent) : QCustomPlot(parent) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setPlottingHint(QCP::phFastPolylines, true);
    setNoAntialiasingOnDrag(true);
    // One paint buffer, not two: the overlay layer (selection rectangles) is not used, and
    // every repaint while training would blend its empty full-size buffer.
    layer("overlay")->setMode(QCPLayer::lmLogical);
    xAxis->setLabel(tr("epoch"));
    yAxis->setLabel(tr("loss per sample"));
    yAxis2->setLabel(tr("KL per sample"));
    // Wheel and drag move both value axes together.
    axisRect()->setRangeDragAxes({xAxis}, {yAxis, yAxis2});
    axisRect()->setRangeZoomAxes({xAxis}, {yAxis, yAxis2});
    legend->setVisible(true);
    legend->setFont(smallFont());
    legend->setBorderPen(Qt::NoPen);
    // The legend in a column beside the curves, at its top, never over the data.
    axisRect()->insetLayout()->take(legend);
    auto* side = new QCPLayoutGrid;
    plotLayout()->addElement(0, 1, side);
    plotLayout()->setColumnStretchFactor(1, 0.001);
    side->addElement(0, 0, legend);
    side->addElement(1, 0, new QCPLayoutElement(this));
    side->setRowStretchFactor(0, 0.001);
    setToolTip(tr("Loss per sample. Scroll to zoom, drag to pan, double-click to follow the training again."));
    // Zooming or panning by hand stops the automatic fitting until a double-click.
    auto manual = [this] {
        if (!m_rescaling) m_autoRange = false;
    };
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, manual);
    connect(yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, manual);
    connect(yAxis2, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, manual);
    m_replotTimer.setSingleShot(true);
    connect(&m_replotTimer, &QTimer::timeout, this, [this] { replot(rpQueuedReplot); });
    connect(this, &QCustomPlot::afterReplot, this, [this] { m_lastReplot.start(); });
    // Tall enough for the curves and a few tick labels that do not overlap.
    setMinimumHeight(120);
    // After the layout, before drawing: the axes' ranges and pixels are final.
    connect(this, &QCustomPlot::afterLayout, this, [this] {
        // As many value ticks as there is room for: labels stacked on a short plot are
        // unreadable.
        const int ticks = std::clamp(axisRect()->rect().height() / 32, 2, 6);
        for (QCPAxis* axis : {yAxis, yAxis2}) axis->ticker()->setTickCount(ticks);
        layoutMarks();
        showPointsAboveTop();
    });
    reset(ModelKind::Autoencoder, QString());
}

namespace {
// A change label's background: the plot's, a little see-through.
QColor markBackground(const QPalette& p) {
    QColor base = p.color(QPalette::Base);
    base.setAlpha(210);
    return base;
}

// The box a label takes: its text with the padding set in addMark().
QSizeF labelSize(const QCPItemText& label) {
    const QFontMetricsF fm(label.font());
    return {fm.horizontalAdvance(label.text()) + 4, fm.height() + 1};
}
} // namespace

QFont LossPlot::smallFont() const { return QFont(font().family(), 8); }

bool LossPlot::isAboveTopMarker(const QCPGraph* g) const { return g == m_aboveTop || g == m_aboveTop2; }

void LossPlot::setPlotPalette(const QPalette& p) {
    applyPalette(*this, p);
    // The noisy batch loss stays behind the epoch curves: faint in any palette.
    QColor batch = p.color(QPalette::Text);
    batch.setAlpha(isDark(p) ? 70 : 80);
    m_batch->setPen(QPen(batch, 1));
    m_aboveNote->setColor(p.color(QPalette::Text));
    m_aboveNote->setBrush(p.color(QPalette::Base));
    for (Mark& m : m_marks) m.label->setBrush(markBackground(p));
}

void LossPlot::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) {
        setPlotPalette(palette());
        replot(rpQueuedReplot);
    }
    QCustomPlot::changeEvent(event);
}

QCPGraph* LossPlot::addCurve(const QString& name, QColor color, Qt::PenStyle style, double width,
                             QCPAxis* valueAxis) {
    QCPGraph* g = addGraph(xAxis, valueAxis ? valueAxis : yAxis);
    g->setName(name);
    g->setPen(QPen(color, width, style));
    g->setAdaptiveSampling(true);
    return g;
}

QString LossPlot::penaltyName(const ModelConfig& model) {
    if (model.sparsity > 0 && model.geometry > 0) return tr("penalties (sparsity, geometry)");
    if (model.sparsity > 0) return tr("sparsity penalty");
    if (model.geometry > 0) return tr("geometry penalty");
    return QString();
}

QString LossPlot::objectiveText(const ModelConfig& model, const EpochReport* last) {
    const QString loss = model.loss == ReconstructionLoss::Bce ? tr("BCE") : tr("MSE");
    const bool vae = model.kind == ModelKind::Vae;
    const QString penalty = penaltyName(model);
    QStringList terms{tr("%1 reconstruction").arg(loss)};
    if (vae) terms << tr("β · KL");
    if (!penalty.isEmpty()) {
        QStringList weights;
        if (model.sparsity > 0) weights << tr("sparsity %1").arg(model.sparsity);
        if (model.geometry > 0) weights << tr("λ %1").arg(model.geometry);
        terms << tr("%1 (%2)").arg(penalty, weights.join(", "));
    }
    QString text = tr("Objective: %1").arg(terms.join(" + "));
    if (!last) return text;
    auto v = [](double x) { return QString::number(x, 'g', 4); };
    const LossTerms& t = last->train;
    QStringList values{v(t.reconstruction)};
    if (vae) values << tr("%1 × %2").arg(v(last->beta), v(t.kl));
    if (!penalty.isEmpty()) values << v(t.penalty);
    text += values.size() > 1 ? tr(" = %1 = %2").arg(values.join(" + "), v(t.total)) : tr(" = %1").arg(v(t.total));
    return text + tr("  (epoch %1, training mean per sample)").arg(last->epoch);
}

void LossPlot::reset(ModelKind kind, const QString& penalty, int plannedEpochs) {
    m_plannedEpochs = std::max(1, plannedEpochs);
    m_history.clear();
    clearGraphs();
    clearItems();
    m_marks.clear();
    m_markRows = 0;
    m_trainRecon = m_validRecon = m_trainKl = m_validKl = m_trainPenalty = nullptr;
    m_batch = addCurve(tr("batch loss"), QColor(170, 170, 170), Qt::SolidLine, 1);
    // Thousands of noisy points, replotted with every snapshot: without antialiasing the
    // thin grey line is drawn by the fast line path instead of the stroker (10x cheaper).
    m_batch->setAntialiased(false);
    m_trainTotal = addCurve(tr("train"), QColor(31, 119, 180), Qt::SolidLine, 2);
    m_validTotal = addCurve(tr("validation"), QColor(255, 127, 14), Qt::SolidLine, 2);
    m_trainTotal->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    m_validTotal->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    // The terms only say something new when there is more than one.
    if (kind == ModelKind::Vae) {
        m_trainRecon = addCurve(tr("train reconstruction"), QColor(31, 119, 180), Qt::DashLine, 1.2);
        m_validRecon = addCurve(tr("validation reconstruction"), QColor(255, 127, 14), Qt::DashLine, 1.2);
        m_trainKl = addCurve(tr("train KL (right axis)"), QColor(44, 160, 44), Qt::DotLine, 1.5, yAxis2);
        m_validKl = addCurve(tr("validation KL (right axis)"), QColor(214, 39, 40), Qt::DotLine, 1.5, yAxis2);
    }
    // A penalty is a training term only: validation has none, so its total is best read
    // against the train reconstruction.
    if (!penalty.isEmpty()) {
        if (!m_trainRecon) m_trainRecon = addCurve(tr("train reconstruction"), QColor(31, 119, 180), Qt::DashLine, 1.2);
        m_trainPenalty = addCurve(tr("train %1").arg(penalty), QColor(148, 103, 189), Qt::DotLine, 1.5);
    }
    yAxis2->setVisible(kind == ModelKind::Vae);
    // Not curves of their own: no legend entry, never part of a fitted range.
    auto triangles = [this](QCPAxis* axis) {
        QCPGraph* g = addGraph(xAxis, axis);
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(QColor(31, 119, 180), 1.5),
                                           QBrush(QColor(31, 119, 180, 90)), 8));
        g->removeFromLegend();
        return g;
    };
    m_aboveTop = triangles(yAxis);
    m_aboveTop2 = triangles(yAxis2);
    m_aboveNote = new QCPItemText(this);
    m_aboveNote->setFont(smallFont());
    m_aboveNote->setPadding(QMargins(3, 1, 3, 1));
    // Top right, below the marks' labels (layoutMarks()): where a falling loss leaves room.
    m_aboveNote->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    m_aboveNote->position->setType(QCPItemPosition::ptAbsolute);
    m_aboveNote->setVisible(false);
    setPlotPalette(palette()); // the new curves' and note's colours
    m_autoRange = true;
    rescale();
    replot(rpQueuedReplot);
}

void LossPlot::add(const TrainingSnapshot& s) {
    if (s.batches.empty() && s.epochs.empty() && s.changes.empty()) return;
    for (const BatchPoint& b : s.batches) m_batch->addData(b.position, b.loss.total);
    for (const EpochReport& r : s.epochs) {
        m_history.push_back(r);
        const double x = r.epoch;
        m_trainTotal->addData(x, r.train.total);
        if (r.hasValidation) m_validTotal->addData(x, r.validation.total);
        if (m_trainRecon) m_trainRecon->addData(x, r.train.reconstruction);
        if (m_validRecon && r.hasValidation) m_validRecon->addData(x, r.validation.reconstruction);
        if (m_trainKl) m_trainKl->addData(x, r.train.kl);
        if (m_validKl && r.hasValidation) m_validKl->addData(x, r.validation.kl);
        if (m_trainPenalty) m_trainPenalty->addData(x, r.train.penalty);
    }
    for (const HyperChange& c : s.changes) addMark(c);
    rescale();
    replotSoon();
}

void LossPlot::addMark(const HyperChange& c) {
    const QColor color(120, 60, 160);
    auto* line = new QCPItemStraightLine(this);
    line->setPen(QPen(color, 1, Qt::DashLine));
    line->point1->setCoords(c.position, 1); // both heights positive: valid on a log axis too
    line->point2->setCoords(c.position, 2);
    auto* label = new QCPItemText(this);
    label->setText(c.text);
    label->setColor(color);
    label->setFont(smallFont());
    label->setPadding(QMargins(2, 0, 2, 0));
    // Over a curve (after a zoom by hand) the label stays readable.
    label->setBrush(markBackground(palette()));
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->position->setType(QCPItemPosition::ptAbsolute); // placed by layoutMarks()
    label->setClipToAxisRect(false);
    m_marks.push_back({c.position, line, label});
}

void LossPlot::layoutMarks() {
    const QRect r = axisRect()->rect();
    std::vector<Mark*> order;
    for (Mark& m : m_marks) order.push_back(&m);
    std::stable_sort(order.begin(), order.end(), [](const Mark* a, const Mark* b) { return a->position < b->position; });
    std::vector<double> rowEnds; // the right end of the last label in each row
    const double rowHeight = markRowHeight();
    for (Mark* m : order) {
        const double width = labelSize(*m->label).width();
        const double x = xAxis->coordToPixel(m->position);
        // Right of its line; left of it when that would leave the plot; never left of the plot.
        double left = x + 3;
        if (left + width > r.right() - 1) left = x - 3 - width;
        left = std::max(left, double(r.left()) + 1);
        size_t row = 0;
        while (row < rowEnds.size() && rowEnds[row] + 4 > left) ++row;
        if (row == rowEnds.size()) rowEnds.push_back(0);
        rowEnds[row] = left + width;
        m->label->position->setCoords(left, r.top() + 2 + double(row) * rowHeight);
    }
    const int rows = int(rowEnds.size());
    m_aboveNote->position->setCoords(r.right() - 4, r.top() + 2 + double(rows) * rowHeight);
    if (rows != m_markRows) {
        // The band above the curves must grow (or may shrink): fit again, draw again.
        m_markRows = rows;
        rescale();
        replotSoon();
    }
}

std::vector<QRectF> LossPlot::markLabelRects() const {
    std::vector<QRectF> out;
    for (const Mark& m : m_marks) out.emplace_back(m.label->position->pixelPosition(), labelSize(*m.label));
    return out;
}

int LossPlot::pointsAboveTop() const { return m_aboveTop->dataCount() + m_aboveTop2->dataCount(); }

QString LossPlot::aboveTopNote() const { return m_aboveNote->visible() ? m_aboveNote->text() : QString(); }

void LossPlot::showPointsAboveTop() {
    m_aboveTop->data()->clear();
    m_aboveTop2->data()->clear();
    int count = 0, first = 0, last = 0;
    double highest = 0;
    if (!m_log) {
        for (int i = 0; i < graphCount(); ++i) {
            QCPGraph* g = graph(i);
            if (g == m_batch || isAboveTopMarker(g)) continue;
            const QCPRange range = g->valueAxis()->range();
            QCPGraph* marks = g->valueAxis() == yAxis ? m_aboveTop : m_aboveTop2;
            for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
                if (!(it->value > range.upper)) continue;
                // Just below the edge, so the whole triangle shows.
                marks->addData(it->key, range.upper - 0.03 * range.size());
                first = count == 0 ? int(it->key) : std::min(first, int(it->key));
                last = std::max(last, int(it->key));
                highest = std::max(highest, it->value);
                ++count;
            }
        }
    }
    // A plot too short for a line of text beside its curves shows the triangles alone.
    m_aboveNote->setVisible(count > 0 && axisRect()->rect().height() >= 90);
    if (count > 0)
        m_aboveNote->setText(tr("▲ epoch%1 %2 above the top (up to %3): Ctrl+L or the wheel shows %4")
                                 .arg(first == last ? "" : "s")
                                 .arg(first == last ? QString::number(first) : QString("%1–%2").arg(first).arg(last))
                                 .arg(highest, 0, 'g', 3)
                                 .arg(first == last ? tr("it") : tr("them")));
}

void LossPlot::replotSoon() {
    // Snapshots come ~10 times a second while training; the curves are replotted at most
    // every kMinReplotMs. A replot with its legend, tick labels and thousands of batch
    // losses costs the GUI thread ~4 ms (estimated from a profile of it), and a training thread waits for the GUI thread's
    // work (it takes that thread's core, and its partner then waits at the next barrier):
    // at 4 replots a second the loss plot was a quarter of the GUI thread's work while
    // training. What arrives in between is drawn with the next replot.
    constexpr qint64 kMinReplotMs = 500;
    if (m_replotTimer.isActive()) return;
    const qint64 since = m_lastReplot.isValid() ? m_lastReplot.elapsed() : kMinReplotMs;
    m_replotTimer.start(int(std::max<qint64>(0, kMinReplotMs - since)));
}

bool LossPlot::fitRange(QCPAxis* axis, QCPRange& y) const {
    bool found = false;
    double lowestPositive = std::numeric_limits<double>::max();
    for (int i = 0; i < graphCount(); ++i) {
        QCPGraph* g = graph(i);
        if (g->valueAxis() != axis || isAboveTopMarker(g)) continue;
        bool ok = false;
        const QCPRange vy = g->getValueRange(ok, QCP::sdBoth);
        if (!ok) continue;
        y = found ? QCPRange(std::min(y.lower, vy.lower), std::max(y.upper, vy.upper)) : vy;
        found = true;
        if (!m_log) continue; // the lowest positive value only matters on a log axis
        const QCPRange positive = g->getValueRange(ok, QCP::sdPositive);
        if (ok) lowestPositive = std::min(lowestPositive, positive.lower);
    }
    if (!found) return false;
    if (m_log) {
        // Only positive values exist on a log axis; some margin on each side.
        const double lo = lowestPositive < std::numeric_limits<double>::max() ? lowestPositive * 0.8 : 1e-3;
        y = QCPRange(lo, std::max(y.upper * 1.25, 1e-2));
        return true;
    }
    // The first epochs dwarf the rest: the top follows the epoch curves (not the noisy batch
    // losses) after the first tenth of the run, so the part still moving fills the plot.
    double top = 0;
    for (int i = 0; i < graphCount(); ++i) {
        QCPGraph* g = graph(i);
        if (g->valueAxis() != axis || g == m_batch || isAboveTopMarker(g)) continue;
        const int n = g->dataCount();
        for (int k = n / 10; k < n; ++k) top = std::max(top, g->data()->at(k)->value);
    }
    top = top > 0 ? std::min(y.upper, top * 1.3) : y.upper;
    y = QCPRange(std::min(0.0, y.lower), top > 0 ? top * 1.05 : 1);
    return true;
}

void LossPlot::rescale() {
    if (!m_autoRange) return;
    m_rescaling = true;
    bool found = false;
    QCPRange x(0, 1);
    for (int i = 0; i < graphCount(); ++i) {
        bool ok = false;
        const QCPRange kx = graph(i)->getKeyRange(ok);
        if (!ok) continue;
        x = found ? QCPRange(std::min(x.lower, kx.lower), std::max(x.upper, kx.upper)) : kx;
        found = true;
    }
    // No points yet: the planned epochs and a unit loss range, never the last run's axes.
    xAxis->setRange(0, found ? std::max(x.upper, 1.0) : double(m_plannedEpochs));
    // The labels of the marks get a band of their own at the top, above every curve.
    const double band = m_marks.empty() ? 0.0
                                        : std::min(0.45, (std::max(1, m_markRows) * markRowHeight() + 4) /
                                                              std::max(40.0, double(axisRect()->rect().height())));
    for (QCPAxis* axis : {yAxis, yAxis2}) {
        QCPRange y(m_log ? 0.01 : 0.0, 1);
        fitRange(axis, y);
        if (band > 0) {
            if (m_log)
                y.upper = y.lower * std::pow(y.upper / y.lower, 1.0 / (1.0 - band));
            else
                y.upper = y.lower + (y.upper - y.lower) / (1.0 - band);
        }
        axis->setRange(y);
    }
    m_rescaling = false;
}

void LossPlot::setLogScale(bool on) {
    m_log = on;
    for (QCPAxis* axis : {yAxis, yAxis2}) {
        axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        if (on)
            axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        else
            axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    m_autoRange = true;
    rescale();
    replot(rpQueuedReplot);
}

void LossPlot::mouseDoubleClickEvent(QMouseEvent* event) {
    m_autoRange = true;
    rescale();
    replot(rpQueuedReplot);
    QCustomPlot::mouseDoubleClickEvent(event);
}

} // namespace latentlab::gui
