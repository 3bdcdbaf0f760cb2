#include "views/plots/PlotTheme.h"

#include <QApplication>
#include <QStyle>
#include <qcustomplot.h>

namespace latentlab::gui {

namespace {
// The desktop's palette, kept before the first change so "system" can return to it.
const QPalette& systemPalette() {
    static const QPalette palette = QApplication::palette();
    return palette;
}

QPalette darkPalette() {
    QPalette p;
    // Fields and plots (Base) a step lighter than the window: with a base darker than the
    // window, check boxes were nearly invisible (seen in screenshots with the Fusion style).
    const QColor window(45, 45, 48), base(58, 58, 62), text(232, 232, 232), disabled(135, 135, 135);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, QColor(60, 60, 64));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(55, 55, 58));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(255, 90, 90));
    p.setColor(QPalette::Light, QColor(80, 80, 84));
    p.setColor(QPalette::Midlight, QColor(66, 66, 70));
    p.setColor(QPalette::Mid, QColor(100, 100, 104));
    p.setColor(QPalette::Dark, QColor(25, 25, 27));
    p.setColor(QPalette::Shadow, QColor(10, 10, 10));
    p.setColor(QPalette::Highlight, QColor(42, 130, 218));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(100, 170, 255));
    p.setColor(QPalette::LinkVisited, QColor(170, 140, 255));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::HighlightedText, disabled);
    return p;
}
} // namespace

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

void applyPalette(QCPAxis& axis, const QPalette& palette) {
    const QColor text = palette.color(QPalette::Text);
    axis.setBasePen(QPen(text, 1));
    axis.setTickPen(QPen(text, 1));
    axis.setSubTickPen(QPen(text, 1));
    axis.setTickLabelColor(text);
    axis.setLabelColor(text);
}

void applyPalette(QCustomPlot& plot, const QPalette& palette) {
    const QColor base = palette.color(QPalette::Base), text = palette.color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(isDark(palette) ? 45 : 35);
    QColor subGrid = grid;
    subGrid.setAlpha(grid.alpha() / 2);
    plot.setBackground(base);
    for (QCPAxisRect* rect : plot.axisRects()) {
        rect->setBackground(base);
        for (QCPAxis* axis : rect->axes()) {
            applyPalette(*axis, palette);
            axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
            axis->grid()->setSubGridPen(QPen(subGrid, 1, Qt::DotLine));
            axis->grid()->setZeroLinePen(QPen(grid, 1));
        }
    }
    if (plot.legend) {
        plot.legend->setBrush(base);
        plot.legend->setTextColor(text);
    }
}

QPalette paletteFor(ColourScheme scheme) {
    switch (scheme) {
    case ColourScheme::Light: return QApplication::style()->standardPalette();
    case ColourScheme::Dark: return darkPalette();
    case ColourScheme::System: break;
    }
    return systemPalette();
}

void applyColourScheme(ColourScheme scheme) {
    systemPalette(); // remembered before the first change
    QApplication::setPalette(paletteFor(scheme));
}

QString colourSchemeName(ColourScheme scheme) {
    switch (scheme) {
    case ColourScheme::Light: return QStringLiteral("light");
    case ColourScheme::Dark: return QStringLiteral("dark");
    case ColourScheme::System: break;
    }
    return QStringLiteral("system");
}

ColourScheme parseColourScheme(const QString& name) {
    if (name == "light") return ColourScheme::Light;
    if (name == "dark") return ColourScheme::Dark;
    return ColourScheme::System;
}

} // namespace latentlab::gui
