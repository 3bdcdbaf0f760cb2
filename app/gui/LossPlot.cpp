#include "LossPlot.h"

#include <cmath>

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
    legend->setVisible(true);
    legend->setFont(QFont(font().family(), 8));
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
    m_replotTimer.setSingleShot(true);
    connect(&m_replotTimer, &QTimer::timeout, this, [this] { replot(rpQueuedReplot); });
    connect(this, &QCustomPlot::afterReplot, this, [this] { m_lastReplot.start(); });
    reset(ModelKind::Autoencoder, 0);
}

QCPGraph* LossPlot::addCurve(const QString& name, QColor color, Qt::PenStyle style, double width) {
    QCPGraph* g = addGraph();
    g->setName(name);
    g->setPen(QPen(color, width, style));
    g->setAdaptiveSampling(true);
    return g;
}

void LossPlot::reset(ModelKind kind, double sparsity) {
    clearGraphs();
    clearItems();
    m_marks.clear();
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
        m_trainKl = addCurve(tr("train KL"), QColor(44, 160, 44), Qt::DotLine, 1.5);
        m_validKl = addCurve(tr("validation KL"), QColor(214, 39, 40), Qt::DotLine, 1.5);
    } else if (sparsity > 0) {
        m_trainRecon = addCurve(tr("train reconstruction"), QColor(31, 119, 180), Qt::DashLine, 1.2);
        m_trainPenalty = addCurve(tr("train sparsity penalty"), QColor(148, 103, 189), Qt::DotLine, 1.5);
    }
    m_autoRange = true;
    rescale();
    replot(rpQueuedReplot);
}

void LossPlot::add(const TrainingSnapshot& s) {
    if (s.batches.empty() && s.epochs.empty() && s.changes.empty()) return;
    for (const BatchPoint& b : s.batches) m_batch->addData(b.position, b.loss.total);
    for (const EpochReport& r : s.epochs) {
        const double x = r.epoch;
        m_trainTotal->addData(x, r.train.total);
        if (r.hasValidation) m_validTotal->addData(x, r.validation.total);
        if (m_trainRecon) m_trainRecon->addData(x, r.train.reconstruction);
        if (m_validRecon && r.hasValidation) m_validRecon->addData(x, r.validation.reconstruction);
        if (m_trainKl) m_trainKl->addData(x, r.train.kl);
        if (m_validKl && r.hasValidation) m_validKl->addData(x, r.validation.kl);
        if (m_trainPenalty) m_trainPenalty->addData(x, r.train.penalty);
    }
    for (const HyperChange& c : s.changes) {
        auto* line = new QCPItemStraightLine(this);
        line->setPen(QPen(QColor(120, 60, 160), 1, Qt::DashLine));
        line->point1->setCoords(c.position, 1); // both heights positive: valid on a log axis too
        line->point2->setCoords(c.position, 2);
        auto* label = new QCPItemText(this);
        label->setText(c.text);
        label->setColor(QColor(120, 60, 160));
        label->setFont(QFont(font().family(), 8));
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        // Stagger the labels so that changes close together stay readable.
        label->position->setCoords(c.position, 0.02 + 0.07 * double(m_marks.size() / 2 % 5));
        m_marks.push_back(line);
        m_marks.push_back(label);
    }
    rescale();
    replotSoon();
}

void LossPlot::replotSoon() {
    // Snapshots come ~10 times a second while training; the curves are replotted at most
    // every kMinReplotMs (a replot with its legend and tick labels costs the GUI thread
    // ~2 ms). What arrives in between is drawn with the next replot.
    constexpr qint64 kMinReplotMs = 250;
    if (m_replotTimer.isActive()) return;
    const qint64 since = m_lastReplot.isValid() ? m_lastReplot.elapsed() : kMinReplotMs;
    m_replotTimer.start(int(std::max<qint64>(0, kMinReplotMs - since)));
}

void LossPlot::rescale() {
    if (!m_autoRange) return;
    m_rescaling = true;
    bool found = false;
    QCPRange x(0, 1), y(0, 1);
    for (int i = 0; i < graphCount(); ++i) {
        bool ok = false;
        const QCPRange kx = graph(i)->getKeyRange(ok);
        if (!ok) continue;
        const QCPRange vy = graph(i)->getValueRange(ok, QCP::sdBoth);
        if (!ok) continue;
        x = found ? QCPRange(std::min(x.lower, kx.lower), std::max(x.upper, kx.upper)) : kx;
        y = found ? QCPRange(std::min(y.lower, vy.lower), std::max(y.upper, vy.upper)) : vy;
        found = true;
    }
    if (found) {
        x.lower = 0;
        if (m_log) {
            // Only positive values exist on a log axis; a decade of margin on each side.
            double lo = std::numeric_limits<double>::max();
            for (int i = 0; i < graphCount(); ++i) {
                bool ok = false;
                const QCPRange r = graph(i)->getValueRange(ok, QCP::sdPositive);
                if (ok) lo = std::min(lo, r.lower);
            }
            y = QCPRange(lo < std::numeric_limits<double>::max() ? lo * 0.8 : 1e-3, std::max(y.upper * 1.25, 1e-2));
        } else {
            // The first epochs dwarf the rest: the top follows the epoch curves after the
            // first tenth of the run, so the part still moving fills the plot.
            double top = 0;
            for (QCPGraph* g : {m_trainTotal, m_validTotal}) {
                const int n = g->dataCount();
                for (int i = n / 10; i < n; ++i) top = std::max(top, g->data()->at(i)->value);
            }
            top = top > 0 ? std::min(y.upper, top * 1.3) : y.upper;
            y = QCPRange(std::min(0.0, y.lower), top > 0 ? top * 1.05 : 1);
        }
        xAxis->setRange(x.lower, std::max(x.upper, 1.0));
        yAxis->setRange(y);
    }
    m_rescaling = false;
}

void LossPlot::setLogScale(bool on) {
    m_log = on;
    yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
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
