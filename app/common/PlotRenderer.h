// Static plots drawn with QPainter, for files the CLI writes and for exports: the latent
// scatter coloured by label, the loss curves, and grids of images. Each paints into any
// QPaintDevice (QImage for PNG, QSvgGenerator for SVG, QPdfWriter for PDF) through savePlot().
#pragma once

#include "EpochMetrics.h"

#include "latentlab/Anomaly.h"
#include "latentlab/Dataset.h"
#include "latentlab/TrainingObserver.h"
#include "latentlab/Types.h"

#include <QColor>
#include <QImage>
#include <QPainter>
#include <QString>
#include <functional>
#include <optional>
#include <vector>

namespace latentlab::app {

// Ten well separated colours for classes (the "tab10" palette of matplotlib).
QColor classColor(int label);
// Perceptually ordered colour map (viridis-like) for t in [0, 1].
QColor colormap(double t);

struct ScatterData {
    Matrix points;             // 2 x n
    std::vector<float> labels; // empty, or n labels
    data::LabelKind labelKind = data::LabelKind::None;
    std::vector<std::string> classNames;
    QString labelName;
    QString title, xLabel = QStringLiteral("z0"), yLabel = QStringLiteral("z1");
};

// The scatter of codes (dimensions dimX, dimY; z0 against the label for a 1-D code)
// coloured by the dataset's labels.
ScatterData latentScatter(const Matrix& codes, const data::Dataset& dataset, const QString& title, int dimX = 0,
                          int dimY = 1);
void paintScatter(QPainter& p, const QRectF& area, const ScatterData& data);
void paintLossCurves(QPainter& p, const QRectF& area, const std::vector<EpochReport>& history,
                     bool logScale, const QString& title);
// Two histograms of reconstruction errors on shared bins (normal samples and anomalies,
// each as a share of its own count) and the threshold as a vertical line.
void paintErrorHistograms(QPainter& p, const QRectF& area, const std::vector<double>& normal,
                          const std::vector<double>& anomalies, double threshold, const QString& anomalyName,
                          const QString& title);
// The ROC curve, the chance diagonal, the AUC in the legend, and the point of `threshold`.
void paintRoc(QPainter& p, const QRectF& area, const RocCurve& roc, double falsePositiveRate,
              double truePositiveRate, const QString& title);
// The per-epoch figures of metrics.csv over the epochs in two panels: the codes' quality
// figures, each in [0, 1] (k-NN accuracy, trustworthiness, R^2 of the label), above; the
// reconstruction MSE per feature below.
void paintMetrics(QPainter& p, const QRectF& area, const std::vector<EpochMetrics>& rows, const QString& title);
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
