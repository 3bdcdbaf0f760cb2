#include "views/latent/LatentPlot.h"

#include "views/latent/DotCloud.h"
#include "PlotRenderer.h"
#include "views/plots/PlotTheme.h"

#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <map>

namespace latentlab::gui {

namespace {
constexpr int kBins = 16;       // colour bins of a continuous label
constexpr int kMaxClasses = 40; // more distinct labels than this are binned like a continuous one
constexpr double kHoverPixels = 8;

} // namespace

LatentPlot::LatentPlot(QWidget* parent) : QCustomPlot(parent) {
    // QCustomPlot asks for its axes, legend and colour scale side by side (~470 px); on a
    // small screen at 200 % the window could then not fit. It may be squeezed instead.
    setMinimumSize(240, 180);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom); // drags arrive only via forwardAsLeft
    setPlottingHint(QCP::phFastPolylines, true);
    setNoAntialiasingOnDrag(true);
    setMouseTracking(true);
    // The decoded-point marker moves with every drag event. On a buffered layer of its own
    // it is repainted alone, without redrawing tens of thousands of points below it. On
    // top of all others, with the (unused) overlay layer no longer buffered, the plot has
    // two paint buffers instead of four: each repaint blends half as many full-size
    // pixmaps (a drag step's repaint takes half the time).
    layer("overlay")->setMode(QCPLayer::lmLogical);
    addLayer("marker", layer("overlay"), QCustomPlot::limAbove);
    layer("marker")->setMode(QCPLayer::lmBuffered);
    // The samples: first on the main layer, so the prior's crosses are drawn over them.
    m_cloud = new DotCloud(axisRect());
    legend->setFont(QFont(font().family(), 8));
    legend->setBorderPen(Qt::NoPen);
    // Legend and colour scale sit in a column beside the plane, never over the points.
    axisRect()->insetLayout()->take(legend);
    m_side = new QCPLayoutGrid;
    plotLayout()->addElement(0, 1, m_side);
    m_filler = new QCPLayoutElement(this);
    m_colorScale = new QCPColorScale(this);
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (int i = 0; i <= 8; ++i) gradient.setColorStopAt(i / 8.0, app::colormap(i / 8.0));
    m_colorScale->setGradient(gradient);
    m_colorScale->setBarWidth(10);
    m_colorScale->setVisible(false);
    m_side->addElement(0, 0, m_filler);
    auto manual = [this] {
        if (!m_rescaling) m_autoRange = false;
    };
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, manual);
    connect(yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, manual);
    setToolTip(QString());
    applyTheme();
}

void LatentPlot::applyTheme() {
    applyPalette(*this, palette());
    applyPalette(*m_colorScale->axis(), palette());
    if (m_prior) m_prior->setScatterStyle(priorStyle());
}

QCPScatterStyle LatentPlot::priorStyle() const {
    QColor cross = palette().color(QPalette::Text); // black crosses vanish on a dark plot
    cross.setAlpha(170);
    return QCPScatterStyle(QCPScatterStyle::ssCross, QPen(cross, 1.2), Qt::NoBrush, 7);
}

void LatentPlot::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) {
        applyTheme();
        replot(rpQueuedReplot);
    }
    QCustomPlot::changeEvent(event);
}

void LatentPlot::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
    m_codes.reset();
    m_latentDim = info.config.model.latentDim;
    m_dimX = 0;
    m_dimY = m_latentDim > 1 ? 1 : -1;
    m_priorCodes.resize(0, 0);
    buildGroups();
    m_autoRange = true;
    replot(rpQueuedReplot);
}

void LatentPlot::addGroup(const QString& name, QColor color, std::vector<Index> rows, bool inLegend) {
    const size_t n = m_dataset ? size_t(m_dataset->rows) : 0;
    color.setAlphaF(n > 20000 ? 0.55 : n > 5000 ? 0.7 : 0.85);
    const int group = m_cloud->addGroup(color, n > 20000 ? 3 : n > 5000 ? 4 : 5);
    if (inLegend) {
        // The legend shows an empty stand-in with a large dot: the real 3-pixel dots
        // would make the class colours hard to tell apart there.
        QCPGraph* key = addGraph();
        key->setName(name);
        key->setLineStyle(QCPGraph::lsNone);
        color.setAlphaF(1.0);
        key->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 8));
    }
    m_groups.push_back({group, std::move(rows)});
}

void LatentPlot::buildGroups() {
    clearGraphs();
    m_cloud->clear();
    m_groups.clear();
    m_continuous = false;
    const data::Dataset* d = m_dataset.get();
    const Index n = d ? d->rows : 0;
    bool continuous = d && d->labelKind == data::LabelKind::Continuous;
    if (d && d->labelKind == data::LabelKind::Class) {
        std::map<int, std::vector<Index>> byClass;
        for (Index i = 0; i < n; ++i) byClass[int(std::lround(d->labels[size_t(i)]))].push_back(i);
        if (int(byClass.size()) > kMaxClasses) {
            continuous = true;
        } else {
            for (auto& [label, rows] : byClass) {
                const bool named = label >= 0 && size_t(label) < d->classNames.size();
                const QString name = named ? QString::fromStdString(d->classNames[size_t(label)])
                                           : QString::fromStdString(d->labelName.empty() ? "class" : d->labelName) +
                                                 " " + QString::number(label);
                addGroup(name, app::classColor(label), std::move(rows), true);
            }
        }
    }
    if (continuous) {
        const auto [lo, hi] = std::minmax_element(d->labels.begin(), d->labels.end());
        const double a = *lo, b = *hi > *lo ? *hi : *lo + 1;
        std::vector<std::vector<Index>> bins(kBins);
        for (Index i = 0; i < n; ++i) {
            const int bin = std::clamp(int((d->labels[size_t(i)] - a) / (b - a) * kBins), 0, kBins - 1);
            bins[size_t(bin)].push_back(i);
        }
        for (int k = 0; k < kBins; ++k)
            addGroup(QString(), app::colormap((k + 0.5) / kBins), std::move(bins[size_t(k)]), false);
        m_colorScale->setDataRange(QCPRange(a, b));
        m_colorScale->setLabel(QString::fromStdString(d->labelName));
        m_continuous = true;
    } else if (m_groups.empty()) {
        std::vector<Index> all(static_cast<size_t>(n));
        for (Index i = 0; i < n; ++i) all[size_t(i)] = i;
        addGroup(tr("samples"), QColor(50, 90, 160), std::move(all), false);
    }
    m_prior = addGraph();
    m_prior->setName(tr("prior samples"));
    m_prior->setLineStyle(QCPGraph::lsNone);
    m_prior->setScatterStyle(priorStyle());
    m_prior->removeFromLegend();
    m_pick = addGraph();
    m_pick->setName(tr("decoded point"));
    m_pick->setLineStyle(QCPGraph::lsNone);
    m_pick->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCrossCircle, QPen(QColor(220, 20, 20), 2), Qt::NoBrush, 16));
    m_pick->removeFromLegend();
    m_pick->setLayer("marker");
    arrangeSide();
}

void LatentPlot::arrangeSide() {
    // Right of the plane: the colour scale (continuous labels only), then a column with
    // the legend (when it has entries) at its top.
    const bool scaleShown = m_colorScale->layout() == plotLayout();
    if (scaleShown && !m_continuous) {
        plotLayout()->take(m_colorScale);
        plotLayout()->simplify();
    } else if (!scaleShown && m_continuous) {
        plotLayout()->insertColumn(1);
        plotLayout()->addElement(0, 1, m_colorScale);
    }
    m_colorScale->setVisible(m_continuous);
    for (int c = 1; c < plotLayout()->columnCount(); ++c) plotLayout()->setColumnStretchFactor(c, 0.001);
    const bool hasLegend = legend->itemCount() > 0;
    if (hasLegend && legend->layout() != m_side) {
        m_side->take(m_filler);
        m_side->simplify();
        m_side->addElement(0, 0, legend);
        m_side->addElement(1, 0, m_filler);
        m_side->setRowStretchFactor(0, 0.001);
    }
    legend->setVisible(hasLegend);
}

double LatentPlot::yOf(Index row) const {
    if (m_dimY >= 0) return double((*m_codes)(m_dimY, row));
    return m_dataset->labels.empty() ? double(row) : double(m_dataset->labels[size_t(row)]);
}

void LatentPlot::setCodes(const std::shared_ptr<const Matrix>& codes) {
    if (!codes || !m_dataset || codes->cols() != m_dataset->rows) return;
    m_codes = codes;
    rebuild();
    emit codesChanged();
}

void LatentPlot::setDims(int dimX, int dimY) {
    m_dimX = std::clamp(dimX, 0, m_latentDim - 1);
    m_dimY = m_latentDim > 1 ? std::clamp(dimY, 0, m_latentDim - 1) : -1;
    m_autoRange = true;
    m_pick->data()->clear();
    rebuild();
    setPriorSamples(m_priorCodes);
}

void LatentPlot::rebuild() {
    xAxis->setLabel(QString("z%1").arg(m_dimX));
    yAxis->setLabel(m_dimY >= 0 ? QString("z%1").arg(m_dimY)
                    : m_dataset && !m_dataset->labels.empty() ? QString::fromStdString(m_dataset->labelName)
                                                              : tr("sample"));
    if (!m_codes) return;
    const Matrix& z = *m_codes;
    for (Group& g : m_groups) {
        std::vector<float> xy(2 * g.rows.size());
        for (size_t i = 0; i < g.rows.size(); ++i) {
            xy[2 * i] = float(z(m_dimX, g.rows[i]));
            xy[2 * i + 1] = float(yOf(g.rows[i]));
        }
        m_cloud->setPoints(g.group, std::move(xy)); // samples not encoded yet (NaN) are skipped
    }
    if (m_autoRange) fitView();
    replot(rpQueuedReplot);
}

void LatentPlot::fitView() {
    QCPRange x, y;
    if (!m_cloud->bounds(x, y)) return;
    const double mx = std::max(1e-6, x.size() * 0.05), my = std::max(1e-6, y.size() * 0.05);
    m_rescaling = true;
    xAxis->setRange(x.lower - mx, x.upper + mx);
    yAxis->setRange(y.lower - my, y.upper + my);
    m_rescaling = false;
    m_autoRange = true;
    replot(rpQueuedReplot);
}

void LatentPlot::setPicked(double x, double y) {
    m_pick->data()->clear();
    m_pick->addData(x, y);
    m_pick->layer()->replot();
}

std::optional<QPointF> LatentPlot::pickedPoint() const {
    if (m_pick->data()->isEmpty()) return std::nullopt;
    const auto it = m_pick->data()->constBegin();
    return QPointF(it->key, it->value);
}

void LatentPlot::setPriorSamples(const Matrix& codes) {
    m_priorCodes = codes;
    m_prior->data()->clear();
    for (Index i = 0; i < codes.cols(); ++i)
        m_prior->addData(double(codes(m_dimX, i)), m_dimY >= 0 ? double(codes(m_dimY, i)) : 0.0);
    const bool listed = legend->hasItemWithPlottable(m_prior);
    if (codes.cols() > 0 && !listed) m_prior->addToLegend();
    if (codes.cols() == 0 && listed) m_prior->removeFromLegend();
    if (listed != (codes.cols() > 0)) arrangeSide();
    replot(rpQueuedReplot);
}

int LatentPlot::plottedPoints() const { return m_cloud->pointCount(); }

QPointF LatentPlot::pixelFor(double x, double y) const { return {xAxis->coordToPixel(x), yAxis->coordToPixel(y)}; }

QPointF LatentPlot::planeAt(const QPointF& pixel) const {
    return {xAxis->pixelToCoord(pixel.x()), yAxis->pixelToCoord(pixel.y())};
}

int LatentPlot::nearestRow(const QPointF& pixel) const {
    if (!m_codes) return -1;
    // Compare in data units scaled to pixels: one pass over all samples, no allocation.
    const double x0 = xAxis->pixelToCoord(pixel.x()), y0 = yAxis->pixelToCoord(pixel.y());
    const double sx = std::abs(xAxis->coordToPixel(x0 + 1) - pixel.x());
    const double sy = std::abs(yAxis->coordToPixel(y0 + 1) - pixel.y());
    double best = kHoverPixels * kHoverPixels;
    int bestRow = -1;
    for (Index row = 0; row < m_codes->cols(); ++row) {
        const double dx = (double((*m_codes)(m_dimX, row)) - x0) * sx, dy = (yOf(row) - y0) * sy;
        const double d2 = dx * dx + dy * dy;
        if (d2 < best) best = d2, bestRow = int(row);
    }
    return bestRow;
}

void LatentPlot::emitPick(const QPointF& pixel) {
    const QPointF z = planeAt(pixel);
    setPicked(z.x(), z.y());
    emit picked(z.x(), z.y());
}

void LatentPlot::forwardAsLeft(QMouseEvent* e) {
    // QCustomPlot pans with the left button only; hand it a left-button copy of the event.
    const Qt::MouseButtons buttons = e->type() == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::LeftButton;
    QMouseEvent left(e->type(), e->position(), e->globalPosition(), Qt::LeftButton, buttons, e->modifiers());
    if (e->type() == QEvent::MouseButtonPress) QCustomPlot::mousePressEvent(&left);
    else if (e->type() == QEvent::MouseMove) QCustomPlot::mouseMoveEvent(&left);
    else QCustomPlot::mouseReleaseEvent(&left);
}

void LatentPlot::mousePressEvent(QMouseEvent* e) {
    const bool inPlot = axisRect()->rect().contains(e->pos());
    if (inPlot && e->button() == Qt::LeftButton && !(e->modifiers() & Qt::ShiftModifier)) {
        m_decoding = true;
        emit hovered(-1, {});
        emitPick(e->position());
    } else if (inPlot && (e->button() != Qt::LeftButton || (e->modifiers() & Qt::ShiftModifier))) {
        m_panning = true;
        m_autoRange = false;
        // The card would stay behind while its point moves away with the plane.
        m_hoverRow = -1;
        emit hovered(-1, {});
        forwardAsLeft(e);
    } else {
        QCustomPlot::mousePressEvent(e);
    }
}

void LatentPlot::mouseMoveEvent(QMouseEvent* e) {
    if (m_decoding) {
        emitPick(e->position());
        return;
    }
    if (m_panning) {
        forwardAsLeft(e);
        return;
    }
    const int row = axisRect()->rect().contains(e->pos()) ? nearestRow(e->position()) : -1;
    if (row != m_hoverRow || row >= 0) {
        m_hoverRow = row;
        emit hovered(row, e->globalPosition().toPoint());
    }
    QCustomPlot::mouseMoveEvent(e);
}

void LatentPlot::mouseReleaseEvent(QMouseEvent* e) {
    if (m_decoding) {
        m_decoding = false;
        return;
    }
    if (m_panning) {
        m_panning = false;
        forwardAsLeft(e);
        return;
    }
    QCustomPlot::mouseReleaseEvent(e);
}

void LatentPlot::mouseDoubleClickEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) {
        m_decoding = false;
        fitView();
        return;
    }
    QCustomPlot::mouseDoubleClickEvent(e);
}

void LatentPlot::wheelEvent(QWheelEvent* e) {
    m_hoverRow = -1; // the zoom moves the point from under the card
    emit hovered(-1, {});
    QCustomPlot::wheelEvent(e);
}

bool LatentPlot::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip && m_hoverRow >= 0) {
        QToolTip::hideText();
        e->ignore();
        return true;
    }
    return QCustomPlot::event(e);
}

void LatentPlot::leaveEvent(QEvent* e) {
    m_hoverRow = -1;
    emit hovered(-1, {});
    QCustomPlot::leaveEvent(e);
}

// The tabs send their overlay with every result, most often unchanged (a VAE's grid spans
// fixed quantiles); redrawing the whole plane for it cost the GUI thread a replot each time.
void LatentPlot::setPath(const QPolygonF& path) {
    if (path == m_path) return;
    m_path = path;
    if (!m_pathCurve) {
        m_pathCurve = new QCPCurve(xAxis, yAxis);
        m_pathCurve->setPen(QPen(QColor(214, 39, 40), 2));
        m_pathCurve->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(214, 39, 40), Qt::white, 7));
        m_pathCurve->setSelectable(QCP::stNone);
        m_pathCurve->removeFromLegend();
    }
    QVector<double> t, x, y;
    for (int i = 0; i < path.size(); ++i) {
        t << i;
        x << path[i].x();
        y << path[i].y();
    }
    m_pathCurve->setData(t, x, y, true);
    m_pathCurve->setVisible(!path.isEmpty());
    replot(QCustomPlot::rpQueuedReplot);
}

void LatentPlot::setGridExtent(const QRectF& extent) {
    if (extent == m_gridExtent) return;
    m_gridExtent = extent;
    if (!m_gridRect) {
        m_gridRect = new QCPItemRect(this);
        m_gridRect->setPen(QPen(QColor(214, 39, 40), 1.2, Qt::DashLine));
        m_gridRect->setBrush(Qt::NoBrush);
        m_gridRect->setSelectable(false);
    }
    m_gridRect->topLeft->setCoords(extent.left(), extent.bottom());
    m_gridRect->bottomRight->setCoords(extent.right(), extent.top());
    m_gridRect->setVisible(!extent.isNull());
    replot(QCustomPlot::rpQueuedReplot);
}

} // namespace latentlab::gui
