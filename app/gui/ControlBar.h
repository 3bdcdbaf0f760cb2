// The training controls: Train, Pause/Resume (Space), Step one epoch, Step one batch,
// Reset, and a progress bar with the epoch, the speed and the time left.
#pragma once

#include "Snapshot.h"

#include <QToolBar>

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

    void setState(RunState state, const QString& message);
    void setProgress(const Progress& progress);
    void setBusy(const QString& what);
    // After a load that failed: back to the progress of the session that goes on.
    void endBusy();

    // "1:05" or "2:03:10".
    static QString formatDuration(double seconds);
    // "183k" style samples per second.
    static QString formatRate(double perSecond);

private:
    QAction* m_train;
    QAction* m_pause;
    QAction* m_stepEpoch;
    QAction* m_stepBatch;
    QAction* m_reset;
    QProgressBar* m_progress;
    QString m_progressText; // the last progress shown, while a load shows its own text
    int m_progressValue = 0;
    QLabel* m_status;
    RunState m_state = RunState::Loading;
};

} // namespace latentlab::gui
