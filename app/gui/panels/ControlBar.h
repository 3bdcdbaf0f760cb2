// The training controls: Train, Pause/Resume (Space), Step one epoch, Step one batch,
// Reset, and a progress bar with the epoch, the speed and the time left. The text stands
// beside the bar, not on it: text drawn over a bar's fill changes colour where the fill
// ends ("Epoch 4/1|0"), hard to read in light and dark palettes alike.
#pragma once

#include "training/Snapshot.h"

#include <QToolBar>
#include <optional>

class QAction;
class QLabel;
class QProgressBar;

namespace latentlab::gui {

class ControlBar : public QToolBar {
    Q_OBJECT

public:
    explicit ControlBar(QWidget* parent = nullptr);

    QAction* trainAction() const { return m_train; }
    QAction* pauseAction() const { return m_pause; }
    QAction* stepEpochAction() const { return m_stepEpoch; }
    QAction* stepBatchAction() const { return m_stepBatch; }
    QAction* resetAction() const { return m_reset; }
    QProgressBar* progressBar() const { return m_progress; }
    // "Epoch 45/300 · batch 12/47" when paused inside an epoch, the speed and the time left
    // while training, "Loading …" while a session loads.
    QString progressText() const;

    void setState(RunState state, const QString& message);
    void setProgress(const Progress& progress);
    void setBusy(const QString& what);
    // After a load that failed: back to the progress of the session that goes on.
    void endBusy();

    // "1:05" or "2:03:10".
    static QString formatDuration(double seconds);
    // "183k" style samples per second.
    static QString formatRate(double perSecond);

protected:
    void changeEvent(QEvent* event) override;

private:
    QAction* m_train;
    QAction* m_pause;
    QAction* m_stepEpoch;
    QAction* m_stepBatch;
    QAction* m_reset;
    void showProgress();
    // The label keeps one size whatever its text: a label that changes size asks the whole
    // window to lay itself out again, docks and all, with every new text, several times a
    // second while training. A text too long for it is elided, whole in the tooltip.
    void setProgressText(const QString& text);
    void fixProgressLabelSize();

    QProgressBar* m_progress;
    QLabel* m_progressLabel;
    QString m_progressText, m_progressTip;
    std::optional<Progress> m_lastProgress; // shown again after a load showed its own text
    QLabel* m_status;
    RunState m_state = RunState::Loading;
};

} // namespace latentlab::gui
