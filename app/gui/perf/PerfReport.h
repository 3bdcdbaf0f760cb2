// `latentlab --perf-report`: a scripted session that measures what issue 4 asks of the
// desktop program, and the table that reports it.
//
// In one run, with the same engine, model, data and thread count:
//   1. the window: the real MainWindow training live, with a 10 ms heartbeat timer in the
//      GUI thread (Heartbeat) measuring how late the event loop runs; and headless: a
//      Trainer alone in a thread of its own, no window, at the same thread priority and
//      OpenMP wait policy (the window's, not the CLI's). The two take
//      turns in slices of ~1 s (the window's training thread held meanwhile), so load
//      from other programs falls on both alike. The views' share pauses stand still while
//      the window is held (LatestTask::holdPauses): a pause is of training's time, and one
//      that ran down during a headless slice would start its work at the next window
//      slice, charging the window with the views' work of both;
//   2. dragging over the latent plane while training: time to decode the point and paint
//      it (the marker and the decoder view);
//   3. paused, with every code current: full replots of the latent plane.
// Throughputs are measured in steady state: after a warm-up each, over the same number of
// seconds, both from freshly initialised weights.
#pragma once

#include <QSize>
#include <QString>
#include <vector>

class QTextStream;

namespace latentlab::gui {

struct PerfOptions {
    QString preset = QStringLiteral("fashion-vae");
    double seconds = 15; // measured per throughput phase
    double warmup = 3;   // training before the throughput slices, on each side
    int threads = 0;     // training threads; 0: the window's automatic choice
    int replots = 10;
    int dragSteps = 60;
    // Every dock shown at once (the tabs beside the prior samples floated out), so each view
    // computes for every new model while the figures are measured.
    bool allViews = false;
};

struct PerfFigures {
    // What was measured.
    QString preset, model, dataset;
    long long samples = 0;
    int threads = 0, cores = 0;
    QString waitPolicy; // the OpenMP variables as the process saw them
    QString views;      // which views showed while measuring
    QString viewUpdates; // results the pool-thread views showed per second while training
    QString viewCpu;     // their work's CPU time per second the window trained, by view
    double seconds = 0, warmup = 0;
    // 1. throughput (samples per second).
    double headlessRate = 0, windowRate = 0;         // medians over the slices
    double headlessRateMean = 0, windowRateMean = 0; // all samples over all time
    double ratio = 0; // window / headless: the median over pairs of neighbouring slices
    int slices = 0;
    // 2. GUI event latency: lateness of each 10 ms heartbeat while training (ms).
    std::vector<double> heartbeat;
    double snapshotsPerSecond = 0, planeUpdatesPerSecond = 0;
    double guiCpuShare = 0;    // CPU time of the GUI thread per second while training
    double codesPerSecond = 0; // samples re-encoded per second (the plane following the model)
    // 3. full replots of the latent plane (ms), and the points it drew.
    std::vector<double> replot;
    int plottedPoints = 0;
    QSize plotSize;         // of the plane's axis rect
    double codesLoadMs = 0; // new codes into the plane's dot cloud, before a replot
    // 4. decoding a dragged point and painting it (ms), while training.
    std::vector<double> decode;
};

// The targets of issue 4.
struct PerfTargets {
    static constexpr double throughputRatio = 0.90;
    static constexpr double heartbeatP99Ms = 50;
    static constexpr double replotMs = 30;
    static constexpr double decodeMs = 5;
};

// Every figure with its target and PASS/FAIL. Rows are fixed, so scripts can grep them.
void printPerfTable(const PerfFigures& figures, QTextStream& out);

// Runs the scripted session (needs a QApplication; the offscreen platform will do) and
// prints the table to out. Throws std::exception with a one-line message when it cannot
// run (unknown preset, missing dataset).
PerfFigures runPerfReport(const PerfOptions& options, QTextStream& out);

} // namespace latentlab::gui
