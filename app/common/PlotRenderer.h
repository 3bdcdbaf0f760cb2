// Static plots drawn with QPainter, one rendering path for the window, its exports and the
// CLI: the latent scatter coloured by label, the loss curves, the anomaly histograms and
// ROC curve, and the metrics. Each paints into an area of any QPaintDevice; PlotFiles.h
// (included here) turns a painter into a PNG, SVG or PDF file and draws image grids.
#pragma once

#include "EpochMetrics.h"
#include "PlotFiles.h"

#include "latentlab/Anomaly.h"
#include "latentlab/Dataset.h"
#include "latentlab/TrainingObserver.h"
#include "latentlab/Types.h"

#include <QColor>
#include <QPainter>
#include <QString>
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

} // namespace latentlab::app
