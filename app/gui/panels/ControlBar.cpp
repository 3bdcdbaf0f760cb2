#include "panels/ControlBar.h"

#include <QAction>
#include <QEvent>
#include <QLabel>
#include <QProgressBar>
#include <algorithm>
#include <cmath>

namespace latentlab::gui {

ControlBar::ControlBar(QWidget* parent) : QToolBar(tr("Training"), parent) {
    setObjectName("trainingBar");
    setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_train = addAction(tr("&Train"));
    m_train->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_Return)});
    m_train->setToolTip(tr("Start or continue training (F5)"));
    m_pause = addAction(tr("&Pause"));
    m_pause->setShortcut(QKeySequence(Qt::Key_Space));
    m_pause->setToolTip(tr("Pause or resume training (Space); pausing takes effect within one mini-batch"));
    m_stepEpoch = addAction(tr("Step &epoch"));
    m_stepEpoch->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_stepEpoch->setToolTip(tr("Train to the end of the current epoch, then pause (Ctrl+E)"));
    m_stepBatch = addAction(tr("Step &batch"));
    m_stepBatch->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    m_stepBatch->setToolTip(tr("Train one mini-batch, then pause (Ctrl+B)"));
    m_reset = addAction(tr("&Reset"));
    m_reset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_reset->setToolTip(tr("New weights from the seed with the panel's settings; the plots start again "
                           "(Ctrl+R)"));
    addSeparator();
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setFixedWidth(fontMetrics().averageCharWidth() * 20);
    m_progressLabel = new QLabel;
    m_progressLabel->setContentsMargins(8, 0, 0, 0);
    m_progressTip = tr("Epochs done of the total, training speed and the time left; paused inside an epoch, "
                       "the batch within it");
    m_progress->setToolTip(m_progressTip);
    m_progressLabel->setToolTip(m_progressTip);
    addWidget(m_progress);
    addWidget(m_progressLabel);
    fixProgressLabelSize(); // in the bar, with the bar's font
    m_status = new QLabel;
    m_status->setContentsMargins(8, 0, 8, 0);
    addWidget(m_status);
    setState(RunState::Loading, {});
}

QString ControlBar::formatDuration(double seconds) {
    if (!(seconds >= 0) || !std::isfinite(seconds)) return QStringLiteral("–");
    const long long s = std::llround(seconds);
    if (s >= 3600) return QString("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
    return QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QString ControlBar::formatRate(double r) {
    if (r >= 1e6) return QString::number(r / 1e6, 'f', 2) + "M";
    if (r >= 1e4) return QString::number(r / 1e3, 'f', 0) + "k";
    if (r >= 1e3) return QString::number(r / 1e3, 'f', 1) + "k";
    return QString::number(r, 'f', 0);
}

void ControlBar::setState(RunState state, const QString& message) {
    m_state = state;
    const bool loading = state == RunState::Loading;
    const bool running = state == RunState::Running;
    const bool canTrain = state == RunState::Ready || state == RunState::Paused || state == RunState::Failed;
    m_train->setEnabled(canTrain);
    m_pause->setEnabled(running || state == RunState::Paused || state == RunState::Failed);
    m_pause->setText(running ? tr("&Pause") : tr("Res&ume"));
    m_stepEpoch->setEnabled(canTrain);
    m_stepBatch->setEnabled(canTrain);
    m_reset->setEnabled(!loading);
    QString text = runStateName(state);
    if (state == RunState::Finished) text = tr("finished — raise Epochs to go on");
    if (!message.isEmpty() && state == RunState::Failed) text = tr("stopped: the loss is not finite");
    m_status->setText(text);
    m_status->setToolTip(message);
    m_status->setStyleSheet(state == RunState::Failed ? "color: #c0392b; font-weight: bold;" : QString());
    if (!loading) showProgress(); // the speed while running, the batch when paused
}

QString ControlBar::progressText() const { return m_progressText; }

void ControlBar::fixProgressLabelSize() {
    // Room for a long line, so the toolbar does not jump as the numbers change.
    const QFontMetrics metrics = m_progressLabel->fontMetrics();
    const QMargins margins = m_progressLabel->contentsMargins();
    m_progressLabel->setFixedSize(metrics.horizontalAdvance("Epoch 9999/9999 · 999k samples/s · ETA 99:59:59") +
                                      margins.left() + margins.right() + 4,
                                  std::max(m_progressLabel->sizeHint().height(), metrics.height()));
    if (!m_progressText.isEmpty()) setProgressText(m_progressText); // elided for the new width
}

void ControlBar::setProgressText(const QString& text) {
    m_progressText = text;
    const QMargins margins = m_progressLabel->contentsMargins();
    const int room = m_progressLabel->width() - margins.left() - margins.right();
    const QString shown = m_progressLabel->fontMetrics().elidedText(text, Qt::ElideMiddle, room);
    m_progressLabel->setText(shown);
    m_progressLabel->setToolTip(shown == text ? m_progressTip : text + "\n\n" + m_progressTip);
}

void ControlBar::changeEvent(QEvent* event) {
    QToolBar::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) fixProgressLabelSize();
}

void ControlBar::setBusy(const QString& what) {
    setProgressText(what);
    m_progress->setValue(0);
}

void ControlBar::endBusy() { showProgress(); }

void ControlBar::setProgress(const Progress& p) {
    m_lastProgress = p;
    showProgress();
}

void ControlBar::showProgress() {
    if (!m_lastProgress) {
        setProgressText({});
        m_progress->setValue(0);
        return;
    }
    const Progress& p = *m_lastProgress;
    m_progress->setValue(int(std::lround(p.fraction() * 1000)));
    // Inside an epoch it is numbered as the one under way (Keras' way): "Epoch 45/300"
    // from its first batch, and "Epoch 44/300" only when the 44th ended.
    const bool inside = p.batch > 0 && p.batchesPerEpoch > 0;
    QString text = tr("Epoch %1/%2").arg(inside ? p.epoch + 1 : p.epoch).arg(p.epochs);
    if (m_state == RunState::Running) {
        if (p.samplesPerSecond > 0)
            text += tr(" · %1 samples/s · ETA %2").arg(formatRate(p.samplesPerSecond), formatDuration(p.etaSeconds));
    } else if (inside) {
        // Step batch moves the plots; this says where in the epoch it stands.
        text += tr(" · batch %1/%2").arg(p.batch).arg(p.batchesPerEpoch);
    }
    setProgressText(text);
}

} // namespace latentlab::gui
