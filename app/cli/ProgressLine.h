// A one-line progress display on a terminal (epoch, loss, samples/s, ETA), redrawn in
// place at most ~10 times a second. Off when stderr is not a terminal.
#pragma once

#include <QElapsedTimer>
#include <QString>

namespace latentlab::cli {

class ProgressLine {
public:
    ProgressLine();
    // done/total in samples; text is shown after the bar.
    void update(double done, double total, const QString& text, bool force = false);
    void finish();
    bool enabled() const { return m_enabled; }

private:
    bool m_enabled;
    QElapsedTimer m_clock, m_sinceDraw;
    bool m_drawn = false;
};

QString formatDuration(double seconds);

} // namespace latentlab::cli
