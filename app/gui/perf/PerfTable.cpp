// The table `latentlab --perf-report` prints: each figure, the target, PASS/FAIL.
#include "perf/PerfReport.h"

#include "perf/Heartbeat.h"
#include "training/CodeRefresher.h"

#include <QTextStream>

#include <algorithm>
#include <cmath>

namespace latentlab::gui {

namespace {

QString ms(double v) { return QString::number(v, 'f', v < 10 ? 2 : 1) + " ms"; }

void row(QTextStream& out, const QString& figure, const QString& measured, const QString& target, const QString& result) {
    out << "  " << figure.leftJustified(42) << " " << measured.leftJustified(52) << " " << target.leftJustified(14) << " "
        << result << "\n";
}

QString verdict(bool pass) { return pass ? QStringLiteral("PASS") : QStringLiteral("FAIL"); }

} // namespace

void printPerfTable(const PerfFigures& f, QTextStream& out) {
    out << "Latent Lab performance report (issue 4)\n";
    out << "  preset:  " << f.preset << ": " << f.model << "\n";
    out << "  data:    " << f.dataset << ", " << f.samples << " samples\n";
    out << "  views:   " << f.views << "\n";
    out << "  threads: " << f.threads << " training thread(s) on " << f.cores << " cores; " << f.waitPolicy << "\n";
    out << "  timing:  " << f.warmup << " s warm-up each, then " << f.seconds << " s in the window and " << f.seconds
        << " s headless, taking turns in " << f.slices
        << " slices (same engine, model, data, threads);\n           throughputs are medians over the slices, "
           "the ratio the median over pairs of neighbouring slices\n\n";
    row(out, "figure", "measured", "target", "result");
    const double ratio = f.ratio;
    row(out, "training throughput, headless",
        QString("%1 samples/s (mean %2)").arg(f.headlessRate, 0, 'f', 0).arg(f.headlessRateMean, 0, 'f', 0), "reference",
        "");
    row(out, "training throughput, in the window",
        QString("%1 samples/s, %2 % of headless (mean %3)")
            .arg(f.windowRate, 0, 'f', 0)
            .arg(100 * ratio, 0, 'f', 1)
            .arg(f.windowRateMean, 0, 'f', 0),
        QString(">= %1 %").arg(100 * PerfTargets::throughputRatio, 0, 'f', 0), verdict(ratio >= PerfTargets::throughputRatio));
    const double p99 = quantile(f.heartbeat, 0.99);
    row(out, "GUI event latency (10 ms heartbeat)",
        QString("p50 %1, p99 %2, max %3 (%4 beats)")
            .arg(ms(quantile(f.heartbeat, 0.5)), ms(p99), ms(quantile(f.heartbeat, 1.0)))
            .arg(f.heartbeat.size()),
        QString("p99 <= %1 ms").arg(PerfTargets::heartbeatP99Ms), verdict(!f.heartbeat.empty() && p99 <= PerfTargets::heartbeatP99Ms));
    const double replotMax = quantile(f.replot, 1.0);
    row(out, QString("latent-plane replot, %1 points").arg(f.plottedPoints),
        QString("median %1, max %2 (%3 replots, %4x%5 px)")
            .arg(ms(median(f.replot)), ms(replotMax))
            .arg(f.replot.size())
            .arg(f.plotSize.width())
            .arg(f.plotSize.height()),
        QString("<= %1 ms").arg(PerfTargets::replotMs), verdict(!f.replot.empty() && replotMax <= PerfTargets::replotMs));
    const double decodeP95 = quantile(f.decode, 0.95);
    row(out, "decode a dragged point and show it",
        QString("median %1, p95 %2, max %3 (%4 steps)")
            .arg(ms(median(f.decode)), ms(decodeP95), ms(quantile(f.decode, 1.0)))
            .arg(f.decode.size()),
        QString("p95 <= %1 ms").arg(PerfTargets::decodeMs), verdict(!f.decode.empty() && decodeP95 <= PerfTargets::decodeMs));
    row(out, "while training: snapshots, plane updates",
        QString("%1 /s, %2 /s").arg(f.snapshotsPerSecond, 0, 'f', 1).arg(f.planeUpdatesPerSecond, 0, 'f', 1), "", "");
    if (!f.viewUpdates.isEmpty()) row(out, "while training: views' results shown", f.viewUpdates, "", "");
    if (!f.viewCpu.isEmpty()) row(out, "while training: views' pool threads", f.viewCpu, "", "");
    row(out, "while training: GUI thread busy", QString("%1 % of a core").arg(100 * f.guiCpuShare, 0, 'f', 1), "", "");
    row(out, "while training: codes re-encoded",
        QString("%1 /s: the %2 of %3 shown while training, all of them with every plane update")
            .arg(f.codesPerSecond, 0, 'f', 0)
            .arg(std::min<qint64>(f.samples, CodeRefresher::kLiveSamples))
            .arg(f.samples),
        "", "");
    row(out, "new codes into the plane (no replot)", ms(f.codesLoadMs), "", "");
    out.flush();
}

} // namespace latentlab::gui
