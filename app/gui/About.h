// Help > About: the version, the matrix multiply in use and why, the libraries with their
// versions, and where the user guide is.
#pragma once

#include <QString>
#include <QStringList>

namespace latentlab::gui {

// "Qt 6.4.2", "QCustomPlot 2.1.0", "Eigen 3.4.0", "OpenMP 4.5 (201511)", ...
QStringList libraryVersions();
// The README's user guide as a file: URL when a copy is found beside the program or in
// the source tree it was built from; empty otherwise.
QString userGuideUrl();
// The About box's text, rich text with the guide as a link.
QString aboutText();

} // namespace latentlab::gui
