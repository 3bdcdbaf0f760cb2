// A widget that paints with one of app/common/PlotRenderer's painters: the window shows a
// plot through the very code that writes it to PNG and PDF for the CLI.
#pragma once

#include "PlotRenderer.h"

#include <QPainter>
#include <QWidget>
#include <functional>

namespace latentlab::gui {

class PainterView : public QWidget {
    Q_OBJECT

public:
    using Painter = std::function<void(QPainter&, const QRectF&)>;
    explicit PainterView(QWidget* parent = nullptr);
    void setPainter(Painter painter); // empty: a blank area
    const Painter& painter() const { return m_painter; }
    // The plot as a file, drawn by the same painter: PNG (at `size`, twice as many pixels
    // for sharpness), SVG or PDF by the suffix, written atomically. Throws with the reason
    // (nothing drawn yet, an unknown suffix, a file that cannot be written).
    void exportTo(const QString& path, const app::PlotPage& page) const;

signals:
    // "Export plot…" chosen in the view's context menu; the window asks for the file.
    void exportRequested(latentlab::gui::PainterView* view);

protected:
    void paintEvent(QPaintEvent*) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    Painter m_painter;
};

} // namespace latentlab::gui
