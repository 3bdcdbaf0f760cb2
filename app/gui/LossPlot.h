// Loss curves as they grow: train and validation loss per epoch, each loss term on its
// own (reconstruction, KL for a VAE), the running batch loss behind them, and a vertical
// mark wherever the learning rate or beta was changed. Log scale on request. A VAE's KL
// curves have their own axis on the right: unweighted by beta, they can be many times the
// total loss (beta 0.05: twenty times its share), and on the loss axis they would either
// leave the plot or flatten every other curve.
#pragma once

#include "Snapshot.h"

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
    void reset(ModelKind kind, double sparsity, int plannedEpochs = 1);
    void add(const TrainingSnapshot& snapshot);
    void setLogScale(bool on);
    bool logScale() const { return m_log; }
    int epochCount() const { return m_trainTotal ? m_trainTotal->dataCount() : 0; }
    int markCount() const { return int(m_marks.size()); }

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    QCPGraph* addCurve(const QString& name, QColor color, Qt::PenStyle style, double width,
                       QCPAxis* valueAxis = nullptr);
    void rescale();
    // The range that shows the curves on `axis`, or false when they have no data yet.
    bool fitRange(QCPAxis* axis, QCPRange& y) const;
    void replotSoon();

    QCPGraph* m_batch = nullptr;
    QCPGraph* m_trainTotal = nullptr;
    QCPGraph* m_validTotal = nullptr;
    QCPGraph* m_trainRecon = nullptr;
    QCPGraph* m_validRecon = nullptr;
    QCPGraph* m_trainKl = nullptr;
    QCPGraph* m_validKl = nullptr;
    QCPGraph* m_trainPenalty = nullptr;
    std::vector<QCPAbstractItem*> m_marks;
    bool m_log = false;
    bool m_autoRange = true;
    int m_plannedEpochs = 1;
    bool m_rescaling = false;
    QTimer m_replotTimer;
    QElapsedTimer m_lastReplot;
};

} // namespace latentlab::gui
