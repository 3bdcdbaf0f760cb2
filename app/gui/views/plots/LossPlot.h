// Loss curves as they grow: train and validation loss per epoch, each loss term on its
// own (reconstruction, KL for a VAE), the running batch loss behind them, and a vertical
// mark wherever the learning rate or beta was changed. Log scale on request. A VAE's KL
// curves have their own axis on the right: unweighted by beta, they can be many times the
// total loss (beta 0.05: twenty times its share), and on the loss axis they would either
// leave the plot or flatten every other curve.
//
// On a linear axis the first epochs, often ten times the rest, are let out of the top so
// the part still moving fills the plot; triangles at the top edge and a note say so.
// The change marks' labels sit in a band kept free above the curves, each moved to the
// first row where it overlaps no other, and inside the plot even at epoch 0.
#pragma once

#include "training/Snapshot.h"

#include <QElapsedTimer>
#include <QTimer>
#include <qcustomplot.h>

namespace latentlab::gui {

class LossPlot : public QCustomPlot {
    Q_OBJECT

public:
    explicit LossPlot(QWidget* parent = nullptr);

    // Empty curves for a new session; until the first point the x-axis spans its planned
    // epochs, not the previous run's.
    // `penalty` names the model's penalty term (penaltyName), empty without one.
    void reset(ModelKind kind, const QString& penalty, int plannedEpochs = 1);
    static QString penaltyName(const ModelConfig& model);
    // The model's objective as a formula, and with `last` (an epoch's training means) each
    // term's value and their sum: "BCE reconstruction + β · KL = 152.3 + 1 × 5.21 = 157.5".
    static QString objectiveText(const ModelConfig& model, const EpochReport* last);
    void add(const TrainingSnapshot& snapshot);
    void setLogScale(bool on);
    bool logScale() const { return m_log; }
    int epochCount() const { return m_trainTotal ? m_trainTotal->dataCount() : 0; }
    // Every epoch shown, for the export (drawn by the CLI's renderer).
    const std::vector<EpochReport>& history() const { return m_history; }
    int markCount() const { return int(m_marks.size()); }
    // The changes' labels as laid out at the last replot, in widget pixels.
    std::vector<QRectF> markLabelRects() const;
    // Epoch points above the top of the plot (linear scale), and the note saying so
    // (empty when none is).
    int pointsAboveTop() const;
    QString aboveTopNote() const;

    // Colours from `palette` (the widget's own follows the application's; an export asks
    // for a light one whatever the window shows).
    void setPlotPalette(const QPalette& palette);

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    std::vector<EpochReport> m_history;
    QCPGraph* addCurve(const QString& name, QColor color, Qt::PenStyle style, double width,
                       QCPAxis* valueAxis = nullptr);
    void rescale();
    // The range that shows the curves on `axis`, or false when they have no data yet.
    bool fitRange(QCPAxis* axis, QCPRange& y) const;
    void replotSoon();
    void addMark(const HyperChange& change);
    // Places the labels of the marks in rows above the curves (after each layout).
    void layoutMarks();
    // Triangles and a note for the epoch points the fitted range leaves out.
    void showPointsAboveTop();
    // The font of the change labels and the note, and the height of one row of labels.
    QFont smallFont() const;
    double markRowHeight() const { return QFontMetricsF(smallFont()).height() + 1; }
    bool isAboveTopMarker(const QCPGraph* g) const;

    QCPGraph* m_batch = nullptr;
    QCPGraph* m_trainTotal = nullptr;
    QCPGraph* m_validTotal = nullptr;
    QCPGraph* m_trainRecon = nullptr;
    QCPGraph* m_validRecon = nullptr;
    QCPGraph* m_trainKl = nullptr;
    QCPGraph* m_validKl = nullptr;
    QCPGraph* m_trainPenalty = nullptr;
    struct Mark {
        double position;
        QCPItemStraightLine* line;
        QCPItemText* label;
    };
    std::vector<Mark> m_marks;
    int m_markRows = 0;          // rows of labels at the last layout
    QCPGraph* m_aboveTop = nullptr;  // triangles at the top edge, loss axis
    QCPGraph* m_aboveTop2 = nullptr; // the same on the KL axis
    QCPItemText* m_aboveNote = nullptr;
    bool m_log = false;
    bool m_autoRange = true;
    int m_plannedEpochs = 1;
    bool m_rescaling = false;
    QTimer m_replotTimer;
    QElapsedTimer m_lastReplot;
};

} // namespace latentlab::gui
