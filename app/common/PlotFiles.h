// Plots and images as files: greyscale images and grids of them in the data's own
// polarity, the page a plot is laid out on, and writing a painter's plot as PNG, SVG or PDF
// (each file written atomically). PlotRenderer.h has the painters.
#pragma once

#include "latentlab/Types.h"

#include <QByteArray>
#include <QImage>
#include <QPainter>
#include <QSizeF>
#include <QString>
#include <functional>
#include <optional>

namespace latentlab::app {

// Images are drawn in the data's own units and polarity, the one way for the window, its
// exports and the CLI: value 0 black, 255 white (MNIST's white digits on black), clamped,
// anything not finite black.
// A greyscale image from width x height values, row-major.
QImage greyImage(const Scalar* values, int width, int height);
// Columns of a features x n matrix as a grid of images, `columns` per row, each enlarged
// by `scale`, 1-pixel grey gaps between them.
QImage imageGrid(const Matrix& images, int imageWidth, int imageHeight, int columns, int scale);

// The page a plot is laid out on: its size in points (1/72 inch), which is the page of an
// SVG or a PDF and the layout of a PNG, and a PNG's resolution: pixels = points x dpi / 72.
// The default 144 dpi gives two pixels per point, crisp on screens and paper.
struct PlotPage {
    static constexpr double kDefaultDpi = 144;
    static constexpr double kMinDpi = 36, kMaxDpi = 1200;
    static constexpr double kMinSide = 16, kMaxSide = 10000; // points
    static constexpr qint64 kMaxPixels = 100'000'000;        // of a PNG (400 MB while drawn)

    QSizeF size;
    double dpi = kDefaultDpi;

    QSize pixels() const; // of the PNG
    // Empty when the page can be drawn, else what is wrong with it in words.
    QString problem() const;
};
// "WxH" in points, such as "900x560"; nullopt if it is not two numbers.
std::optional<QSizeF> parsePlotSize(const QString& text);

// Paints into a file by extension: .png (page.size x dpi/72 pixels, the dpi recorded in
// the file), .svg or .pdf (vector, one page of page.size points), each written atomically.
// Throws ConfigFileError naming the path if the format is unknown, the page out of range
// (PlotPage::problem) or the write fails.
void savePlot(const QString& path, const PlotPage& page, const std::function<void(QPainter&, const QRectF&)>& paint);
// The same plot as PNG bytes.
QByteArray plotPng(const PlotPage& page, const std::function<void(QPainter&, const QRectF&)>& paint);
// Draws `image` into `area` as large as fits without changing its shape, centred; scaled
// by whole pixels with no smoothing when it grows, so digits stay sharp.
void paintImageFitted(QPainter& p, const QRectF& area, const QImage& image);
QByteArray pngBytes(const QImage& image); // ConfigFileError if it cannot be encoded
void saveImage(const QString& path, const QImage& image);

} // namespace latentlab::app
