#include "ProgressLine.h"

#include <cstdio>
#include <unistd.h>

namespace latentlab::cli {

QString formatDuration(double s) {
    if (!(s >= 0) || s > 1e7) return QStringLiteral("--:--");
    const int t = int(s + 0.5);
    return t >= 3600 ? QString::asprintf("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                     : QString::asprintf("%02d:%02d", t / 60, t % 60);
}

ProgressLine::ProgressLine() : m_enabled(isatty(fileno(stderr))) {
    m_clock.start();
    m_sinceDraw.start();
}

void ProgressLine::update(double done, double total, const QString& text, bool force) {
    if (!m_enabled || (!force && m_drawn && m_sinceDraw.elapsed() < 100)) return;
    m_sinceDraw.restart();
    m_drawn = true;
    const double frac = total > 0 ? std::min(1.0, done / total) : 0.0;
    const double elapsed = m_clock.elapsed() / 1000.0;
    const double eta = frac > 0 ? elapsed * (1 - frac) / frac : -1;
    constexpr int kWidth = 24;
    const int filled = int(frac * kWidth);
    const QString bar = QString(filled, QChar('#')) + QString(kWidth - filled, QChar('.'));
    const QString line = QString("[%1] %2%  %3  ETA %4").arg(bar).arg(int(frac * 100), 3).arg(text, formatDuration(eta));
    std::fprintf(stderr, "\r\033[K%s", line.toLocal8Bit().constData());
    std::fflush(stderr);
}

void ProgressLine::finish() {
    if (m_enabled && m_drawn) std::fprintf(stderr, "\n");
}

} // namespace latentlab::cli
