// latentlab: the desktop program. Training runs in a worker thread with OpenMP inside the
// engine; idle OpenMP threads must sleep rather than spin on the core the window needs.
// app/startup/OpenMpWaiting.cpp sees to that before libgomp reads its environment (main() would be
// too late). `latentlab --perf-report` measures the window against headless training.
#include "MainWindow.h"

#include "DocumentActions.h"

#include "panels/ControlBar.h"
#include "perf/PerfReport.h"
#include "training/TrainingController.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>
#include <cstdio>
#include <cstring>

namespace {

bool wantsPerfReport(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--perf-report") == 0) return true;
    return false;
}

// Messages of the offscreen platform about window sizes say nothing about performance.
QtMessageHandler g_defaultHandler = nullptr;
void perfMessageHandler(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (type == QtDebugMsg || type == QtInfoMsg || message.contains("propagateSizeHints") ||
        message.contains("XDG_RUNTIME_DIR"))
        return;
    g_defaultHandler(type, context, message);
}

// A number option of --perf-report in [lowest, highest] (unchanged when absent); false
// after a one-line error. The upper bound also keeps "inf" and 1e300 out of the timing loops.
bool numberOption(const QCommandLineParser& parser, const char* name, double lowest, double highest, bool integer,
                  double& into) {
    if (!parser.isSet(name)) return true;
    bool good = false;
    const double v = integer ? double(parser.value(name).toInt(&good)) : parser.value(name).toDouble(&good);
    if (!good || !(v >= lowest && v <= highest)) {
        std::fprintf(stderr, "latentlab: --%s: expected %s from %g to %g, got \"%s\"\n", name,
                     integer ? "a whole number" : "a number", lowest, highest, qPrintable(parser.value(name)));
        return false;
    }
    into = v;
    return true;
}

int perfReport(const QCommandLineParser& parser) {
    latentlab::gui::PerfOptions options;
    if (parser.isSet("preset")) options.preset = parser.value("preset");
    double threads = options.threads;
    if (!numberOption(parser, "seconds", 0.2, 3600, false, options.seconds) ||
        !numberOption(parser, "warmup", 0, 600, false, options.warmup) ||
        !numberOption(parser, "threads", 0, 1024, true, threads))
        return 2;
    options.threads = int(threads);
    options.allViews = parser.isSet("all-views");
    QTextStream out(stdout);
    try {
        latentlab::gui::runPerfReport(options, out);
    } catch (const std::exception& e) {
        out.flush();
        const QString line = QString::fromUtf8(e.what()).section('\n', 0, 0);
        std::fprintf(stderr, "latentlab: --perf-report: %s\n", qPrintable(line));
        return 2;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    // The report runs a real window: offscreen unless a platform was chosen, so it also
    // runs without a display.
    const bool perf = wantsPerfReport(argc, argv);
    if (perf && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    if (perf) g_defaultHandler = qInstallMessageHandler(perfMessageHandler);
    const bool hasDisplay = !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
                            !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
    if (!hasDisplay) {
        std::fputs("latentlab: no display (DISPLAY and WAYLAND_DISPLAY are unset); to train without a window use "
                   "latentlab-cli, e.g. `latentlab-cli train --preset swissroll-ae --out runs/swissroll`\n",
                   stderr);
        return 2;
    }
    QApplication app(argc, argv);
    // The report's window must not read (or disturb) the user's saved layout.
    QApplication::setApplicationName(perf ? "latentlab-perf-report" : "latentlab");
    QApplication::setApplicationDisplayName("Latent Lab");
    QApplication::setOrganizationName("latentlab");
    QApplication::setApplicationVersion(QStringLiteral(LATENTLAB_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription("Latent Lab: train autoencoders and watch them learn.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({"preset", "Start with preset <name> (see latentlab-cli presets).", "name"});
    parser.addOption({"train", "Start training at once (for demonstrations)."});
    parser.addPositionalArgument("model", "A model file to open.", "[model.llmodel]");
    parser.addOption({"perf-report", "Measure training throughput (in the window against headless), the GUI's "
                                     "event latency, the latent-plane replot and decoding a dragged point; print "
                                     "them with their targets and exit. Runs offscreen; fashion-vae by default."});
    parser.addOption({"seconds", "--perf-report: seconds measured per phase (default 15).", "s"});
    parser.addOption({"warmup", "--perf-report: warm-up seconds before measuring (default 3).", "s"});
    parser.addOption({"threads", "--perf-report: training threads (default: the window's automatic choice).", "n"});
    parser.addOption({"all-views", "--perf-report: every dock shown at once (the tabs floated out), so every view "
                                   "computes while measured."});
    parser.process(app);
    if (perf) return perfReport(parser);

    latentlab::gui::MainWindow window;
    window.show();
    // Autosave for recovery after a crash: every minute at most while training
    // (LATENTLAB_AUTOSAVE_SECONDS changes it, for tests and the impatient).
    double autosaveSeconds = 60;
    if (const QByteArray v = qgetenv("LATENTLAB_AUTOSAVE_SECONDS"); !v.isEmpty()) {
        bool good = false;
        const double seconds = v.toDouble(&good);
        if (good && seconds >= 0 && seconds <= 86400) autosaveSeconds = seconds;
        else std::fprintf(stderr, "latentlab: LATENTLAB_AUTOSAVE_SECONDS: expected seconds from 0 to 86400, got \"%s\"; "
                                  "autosaving every 60 s\n", v.constData());
    }
    window.documents()->offerRecovery(latentlab::gui::RecoveryFile::defaultDirectory(), autosaveSeconds);
    if (parser.isSet("preset")) {
        try {
            window.applyConfig(latentlab::app::loadPreset(parser.value("preset")));
        } catch (const std::exception& e) {
            window.reportError(QObject::tr("Unknown preset"), QString::fromUtf8(e.what()));
        }
    }
    if (!parser.positionalArguments().isEmpty()) window.documents()->openPath(parser.positionalArguments().first());
    if (parser.isSet("train")) {
        // Once the requested session is ready (the first one, or the preset's).
        auto* c = window.controller();
        const int wanted = parser.isSet("preset") || !parser.positionalArguments().isEmpty() ? 2 : 1;
        QObject::connect(c, &latentlab::gui::TrainingController::sessionStarted, &window,
                         [c, wanted](const latentlab::gui::SessionInfo& info) {
                             if (info.session == wanted) c->train();
                         });
    }
    return app.exec();
}
