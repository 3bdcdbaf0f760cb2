// Colours for light and dark desktops. QCustomPlot paints white with black axes whatever
// the palette, so on a dark desktop the plots were white boxes in a dark window; each plot
// takes its colours from the palette here, and again when the palette changes. The user
// can also pick light or dark for the whole window (View > Colours), for a projector in a
// lecture hall or a dark room, whatever the desktop uses.
#pragma once

#include <QPalette>
#include <QString>

class QCPAxis;
class QCustomPlot;

namespace latentlab::gui {

enum class ColourScheme { System, Light, Dark };

// Background, axes, ticks, grid, labels and legend of `plot` from `palette`.
void applyPalette(QCustomPlot& plot, const QPalette& palette);
// One axis's line, ticks and labels (an axis outside the axis rects, e.g. a colour scale's).
void applyPalette(QCPAxis& axis, const QPalette& palette);
// Whether a palette is a dark one (its window darker than its text).
bool isDark(const QPalette& palette);

// The palette for a scheme: the desktop's (as at start-up), or a light or dark one.
QPalette paletteFor(ColourScheme scheme);
// Sets the application's palette (every widget follows; the plots through applyPalette).
void applyColourScheme(ColourScheme scheme);

QString colourSchemeName(ColourScheme scheme); // "system", "light", "dark" (QSettings)
ColourScheme parseColourScheme(const QString& name); // System for anything else

} // namespace latentlab::gui
