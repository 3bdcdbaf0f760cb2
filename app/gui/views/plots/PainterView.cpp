#include "views/plots/PainterView.h"

#include "PlotRenderer.h"

#include <QContextMenuEvent>
#include <QMenu>
#include <algorithm>
#include <stdexcept>

namespace latentlab::gui {

namespace {
constexpr double kPageWidth = 520, kPageHeight = 360;
} // namespace

PainterView::PainterView(QWidget* parent) : QWidget(parent) { setMinimumSize(300, 220); }

void PainterView::setPainter(Painter painter) {
    m_painter = std::move(painter);
    update();
}

void PainterView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (!m_painter) {
        p.fillRect(rect(), palette().window());
        return;
    }
    // The painters lay a plot out for a page (margins, fonts); a small widget shows the
    // same page scaled down rather than a cramped one.
    const double scale = std::min({1.0, width() / kPageWidth, height() / kPageHeight});
    p.scale(scale, scale);
    m_painter(p, QRectF(0, 0, width() / scale, height() / scale));
}

void PainterView::exportTo(const QString& path, const app::PlotPage& page) const {
    if (!m_painter) throw std::runtime_error((path + ": the plot is still empty").toStdString());
    app::savePlot(path, page, m_painter);
}

void PainterView::contextMenuEvent(QContextMenuEvent* event) {
    if (!m_painter) return;
    QMenu menu(this);
    menu.addAction(tr("Export plot (PNG, SVG, PDF)…"), this, [this] { emit exportRequested(this); });
    menu.exec(event->globalPos());
}

} // namespace latentlab::gui
