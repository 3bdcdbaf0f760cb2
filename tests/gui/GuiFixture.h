// Shared by the window's test executables (tst_gui, tst_documents): a fresh MainWindow on
// the offscreen platform for every test function, with dialogs that answer themselves and
// record what the user would have been told.
#pragma once

#include "DocumentActions.h"
#include "MainWindow.h"
#include "panels/ControlBar.h"
#include "panels/ScientificSpinBox.h"
#include "panels/SettingsPanel.h"
#include "training/Decoding.h"
#include "training/TrainingController.h"
#include "views/latent/HoverCard.h"
#include "views/latent/LatentPlot.h"
#include "views/latent/LatentView.h"
#include "views/output/DecoderView.h"
#include "views/output/ReconstructionStrip.h"
#include "views/output/SampleGallery.h"
#include "views/plots/LossPlot.h"
#include "Experiment.h"
#include "latentlab/ModelFile.h"
#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <functional>
#include <functional>

namespace guitest {

using namespace latentlab;
using namespace latentlab::gui;

// The offscreen platform warns about every window's size hints; nothing to do with us.
inline QtMessageHandler& previousHandler() {
    static QtMessageHandler handler = nullptr;
    return handler;
}
inline void quietHandler(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (message.contains("propagateSizeHints")) return;
    previousHandler()(type, context, message);
}

// Answers every question itself and records what the user would have been told.
class TestDialogs : public Dialogs {
public:
    QStringList errors, notes;
    int confirms = 0;
    bool confirmAnswer = true;
    int saveQuestions = 0;
    SaveChoice saveChoice = SaveChoice::Discard;

    void error(QWidget*, const QString& title, const QString& message) override { errors << title + ": " + message; }
    void information(QWidget*, const QString& title, const QString& message) override {
        notes << title + ": " + message;
    }
    void about(QWidget*, const QString& title, const QString& text) override { notes << title + ": " + text; }
    QString lastQuestion, lastButton;  // of the last confirm()
    std::function<void()> whileAsking; // runs while the question is open
    bool confirm(QWidget*, const QString&, const QString& question, const QString& yes) override {
        lastQuestion = question;
        lastButton = yes;
        if (whileAsking) whileAsking();
        return ++confirms, confirmAnswer;
    }
    SaveChoice askToSave(QWidget*, const QString&) override { return ++saveQuestions, saveChoice; }
    QStringList recoveryQuestions;
    RecoveryChoice recoveryChoice = RecoveryChoice::Later;
    void askRecovery(QWidget*, const QString& question, std::function<void(RecoveryChoice)> answer) override {
        recoveryQuestions << question;
        answer(recoveryChoice);
    }
    QString openAnswer, saveAnswer; // what the file dialogs return (empty: cancelled)
    QStringList dialogStarts;       // the folder or file each file dialog started at
    QString openFileName(QWidget*, const QString&, const QString& dir, const QString&) override {
        dialogStarts << dir;
        return openAnswer;
    }
    QString saveFileName(QWidget*, const QString&, const QString& dir, const QString&) override {
        dialogStarts << dir;
        return saveAnswer;
    }
    QList<app::PlotPage> pagesProposed;   // what each plot's size question started from
    std::optional<app::PlotPage> pageAnswer; // the user's page; unset: the proposed one
    bool pageCancelled = false;
    std::optional<app::PlotPage> askPlotPage(QWidget*, const QString&, const app::PlotPage& proposed) override {
        pagesProposed << proposed;
        if (pageCancelled) return std::nullopt;
        return pageAnswer ? *pageAnswer : proposed;
    }
};

inline void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

inline app::RunConfig exploding() {
    app::RunConfig c = app::loadPreset("swissroll-ae");
    c.dataset.generator.samples = 600;
    c.model.encoderWidths = {16};
    c.model.activation = Activation::ReLU;
    c.training.optimizer.kind = OptimizerConfig::Kind::Sgd;
    c.training.learningRate = 5;
    return c;
}

class WindowTest : public QObject {
protected:
    QTemporaryDir m_tmp;
    std::unique_ptr<MainWindow> m_window;
    TestDialogs* m_dialogs = nullptr;

    MainWindow& w() { return *m_window; }
    TrainingController& c() { return *m_window->controller(); }
    LatentPlot& plot() { return *m_window->latentView()->plot(); }

    // The window has its session and the first snapshot of it.
    bool ready() { return c().hasSession() && c().latest() && c().state() != RunState::Loading; }
    void trainEpochs(int epochs) {
        QSignalSpy spy(&c(), &TrainingController::epochCompleted);
        w().controls()->trainAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= epochs, 20000);
    }
    void pauseAndSettle() {
        w().controls()->pauseAction()->trigger();
        QTRY_COMPARE(c().state(), RunState::Paused);
        QTRY_VERIFY(c().latest()->codesComplete && c().latest()->state == RunState::Paused);
    }

    // From initTestCase(): settings in a temporary folder, not the user's.
    void setUpApplication(const char* name) {
        QVERIFY(m_tmp.isValid());
        previousHandler() = qInstallMessageHandler(quietHandler);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_tmp.filePath("settings"));
        QCoreApplication::setOrganizationName("latentlab-test");
        QCoreApplication::setApplicationName(name);
    }
    // From init(): the window with its first session.
    void openWindow() {
        m_window = std::make_unique<MainWindow>();
        m_dialogs = new TestDialogs;
        m_window->setDialogs(std::unique_ptr<Dialogs>(m_dialogs));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(ready(), 30000); // a sanitizer build takes seconds to start a session
    }
    void closeWindow() { m_window.reset(); }
};

} // namespace guitest
