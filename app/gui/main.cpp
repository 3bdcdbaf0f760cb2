// latentlab: the desktop program. Training runs in a worker thread with OpenMP inside the
// engine; start it with OMP_WAIT_POLICY=passive (as `make run` and latentlab.desktop do)
// so idle OpenMP threads sleep instead of spinning. Setting the variable here would come
// too late: libgomp reads it when it is loaded, before main().
#include "MainWindow.h"

#include "DocumentActions.h"

#include "ControlBar.h"
#include "TrainingController.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>

int main(int argc, char** argv) {
    const bool hasDisplay = !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
                            !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
    if (!hasDisplay) {
        std::fputs("latentlab: no display (DISPLAY and WAYLAND_DISPLAY are unset); to train without a window use "
                   "latentlab-cli, e.g. `latentlab-cli train --preset swissroll-ae --out runs/swissroll`\n",
                   stderr);
        return 2;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName("latentlab");
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
    parser.process(app);

    latentlab::gui::MainWindow window;
    window.show();
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
