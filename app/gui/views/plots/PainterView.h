// A widget that paints with one of app/common/PlotRenderer's painters: the window shows a
// plot through the very code that writes it to PNG and PDF for the CLI.
#pragma once

#include <QPainter>
#include <QWidget>
#include <functional>

namespace latentlab::gui {

class PainterView : public QWidget {
public:
    using Painter = std::function<void(QPainter&, const QRectF&)>;
    explicit PainterView(QWidget* parent = nullptr);
    void setPainter(Painter painter); // empty: a blank area
    const Painter& painter() const { return m_painter; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    Painter m_painter;
};

} // namespace latentlab::gui
