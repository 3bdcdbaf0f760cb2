// The desktop program driven through its real widgets on the offscreen platform: training
// updates the plots, Space pauses within a batch, a click decodes exactly that point,
// sampling fills the gallery, models round-trip through files, closing mid-training
// leaves no thread, bad files give a message and no crash.
#include "ControlBar.h"
#include "DecoderView.h"
#include "Decoding.h"
#include "DocumentActions.h"
#include "HoverCard.h"
#include "LatentPlot.h"
#include "LatentView.h"
#include "LossPlot.h"
#include "MainWindow.h"
#include "ReconstructionStrip.h"
#include "SampleGallery.h"
#include "ScientificSpinBox.h"
#include "SettingsPanel.h"
#include "TrainingController.h"

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
#include <QTimer>
#include <QtTest>

using namespace latentlab;
using namespace latentlab::gui;

namespace {

// The offscreen platform warns about every window's size hints; nothing to do with us.
QtMessageHandler g_previousHandler = nullptr;
void quietHandler(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (message.contains("propagateSizeHints")) return;
    g_previousHandler(type, context, message);
}

// Answers every question itself and records what the user would have been told.
class TestDialogs : public Dialogs {
public:
    QStringList errors;
    int confirms = 0;
    bool confirmAnswer = true;
    int saveQuestions = 0;
    SaveChoice saveChoice = SaveChoice::Discard;

    void error(QWidget*, const QString& title, const QString& message) override { errors << title + ": " + message; }
    bool confirm(QWidget*, const QString&, const QString&, const QString&) override { return ++confirms, confirmAnswer; }
    SaveChoice askToSave(QWidget*, const QString&) override { return ++saveQuestions, saveChoice; }
    QString openFileName(QWidget*, const QString&, const QString&, const QString&) override { return {}; }
    QString saveFileName(QWidget*, const QString&, const QString&, const QString&) override { return {}; }
};

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

app::RunConfig exploding() {
    app::RunConfig c = app::loadPreset("swissroll-ae");
    c.dataset.generator.samples = 600;
    c.model.encoderWidths = {16};
    c.model.activation = Activation::ReLU;
    c.training.optimizer.kind = OptimizerConfig::Kind::Sgd;
    c.training.learningRate = 5;
    return c;
}

} // namespace

class TestGui : public QObject {
    Q_OBJECT

private:
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

private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        g_previousHandler = qInstallMessageHandler(quietHandler);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_tmp.filePath("settings"));
        QCoreApplication::setOrganizationName("latentlab-test");
        QCoreApplication::setApplicationName("tst_gui");
    }

    void init() {
        m_window = std::make_unique<MainWindow>();
        m_dialogs = new TestDialogs;
        m_window->setDialogs(std::unique_ptr<Dialogs>(m_dialogs));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY(ready());
    }

    void cleanup() { m_window.reset(); }

    void startsOnSwissRollPreset() {
        QCOMPARE(c().session().config.name, QString("swissroll-ae"));
        QCOMPARE(w().panel()->datasetBox()->currentData().toString(), QString("swissroll"));
        QCOMPARE(c().state(), RunState::Ready);
        QTRY_COMPARE(plot().plottedPoints(), 3000); // every sample, encoded by the new model
    }

    void trainingUpdatesThePlots() {
        QSignalSpy epochs(&c(), &TrainingController::epochCompleted);
        QSignalSpy codes(&plot(), &LatentPlot::codesChanged);
        QTRY_VERIFY(plot().codes());
        const Matrix before = *plot().codes();
        w().controls()->trainAction()->trigger();
        QTRY_COMPARE(c().state(), RunState::Running);
        QTRY_VERIFY(epochs.count() >= 3);
        QTRY_VERIFY(codes.count() >= 2);
        QVERIFY(!plot().codes()->isApprox(before));
        QCOMPARE(plot().plottedPoints(), 3000);
        QVERIFY(w().lossPlot()->epochCount() >= 3);
        QVERIFY(w().reconstructions()->reconstructions());
        QTRY_VERIFY(w().controls()->progressBar()->text().contains("samples/s"));
        QVERIFY(w().controls()->progressBar()->value() > 0);
    }

    void spacePausesWithinOneBatch() {
        w().activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        trainEpochs(1);
        QTRY_VERIFY(c().stepsDone() > 100);
        QTest::keyClick(&plot(), Qt::Key_Space);
        const long long atPause = c().stepsDone();
        QTRY_COMPARE(c().state(), RunState::Paused);
        QTest::qWait(150);
        QVERIFY2(c().stepsDone() - atPause <= 1, qPrintable(QString::number(c().stepsDone() - atPause)));
        QCOMPARE(w().controls()->pauseAction()->text(), QString("Res&ume"));
        QTest::keyClick(&plot(), Qt::Key_Space);
        QTRY_VERIFY(c().stepsDone() > atPause + 10);
    }

    void clickDecodesExactlyThatPoint() {
        trainEpochs(2);
        // While training runs: the view always shows the latest decoder's output.
        const QPoint a = plot().axisRect()->rect().center() + QPoint(37, -21);
        QTest::mouseClick(&plot(), Qt::LeftButton, {}, a);
        DecoderView* dv = w().decoderView();
        QVERIFY(dv->hasPoint());
        QVERIFY(dv->lastOutput() == decodeToData(*c().latest()->decoder, dv->lastCode()));
        pauseAndSettle();
        QTest::mouseClick(&plot(), Qt::LeftButton, {}, a);
        const QPointF za = plot().planeAt(a);
        QCOMPARE(dv->lastCode().size(), Index(2));
        QCOMPARE(dv->lastCode()[0], Scalar(za.x()));
        QCOMPARE(dv->lastCode()[1], Scalar(za.y()));
        QVERIFY(dv->lastOutput() == decodeToData(*c().latest()->decoder, dv->lastCode()));
        // Dragging decodes continuously.
        const QPoint b = a + QPoint(-60, 45);
        QTest::mousePress(&plot(), Qt::LeftButton, {}, a);
        QTest::mouseMove(&plot(), a + QPoint(-30, 20));
        QTest::mouseMove(&plot(), b);
        const QPointF zb = plot().planeAt(b);
        QCOMPARE(dv->lastCode()[0], Scalar(zb.x()));
        QCOMPARE(dv->lastCode()[1], Scalar(zb.y()));
        QTest::mouseRelease(&plot(), Qt::LeftButton, {}, b);
        QVERIFY(dv->lastOutput() == decodeToData(*c().latest()->decoder, dv->lastCode()));
    }

    void hoverShowsTheSample() {
        QTRY_COMPARE(plot().plottedPoints(), 3000);
        plot().replot();
        const Matrix& z = *plot().codes();
        const QPointF p = plot().pixelFor(z(0, 5), z(1, 5));
        QTest::mouseMove(&plot(), p.toPoint());
        HoverCard* card = w().latentView()->hoverCard();
        QTRY_VERIFY(card->shownRow() >= 0);
        const Index row = card->shownRow();
        const QPointF q = plot().pixelFor(z(0, row), z(1, row));
        QVERIFY(QLineF(p, q).length() <= 9);
    }

    void samplingFillsTheGallery() {
        QVERIFY(!w().latentView()->sampleButton()->isEnabled()); // an autoencoder has no prior
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().applyConfig(app::loadPreset("swissroll-vae"));
        QTRY_COMPARE(session.count(), 1);
        QTRY_VERIFY(c().latest());
        QVERIFY(w().latentView()->sampleButton()->isEnabled());
        QTest::mouseClick(w().latentView()->sampleButton(), Qt::LeftButton);
        const int n = w().latentView()->sampleCount();
        QCOMPARE(w().gallery()->sampleCount(), n);
        QCOMPARE(plot().priorMarkers(), n);
        const Matrix& z = plot().priorCodes();
        const Model& decoder = *c().latest()->decoder;
        for (Index i = 0; i < n; ++i) QVERIFY(w().gallery()->samples().col(i) == decodeToData(decoder, z.col(i)));
    }

    void pausedGalleryShowsTheNewestDecoder() {
        // While training the gallery is decoded at most once a second, so a snapshot can
        // bring a decoder the gallery skipped; when the pause that follows reuses that same
        // decoder, the gallery must still catch up with it.
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().applyConfig(app::loadPreset("swissroll-vae"));
        QTRY_COMPARE(session.count(), 1);
        QTRY_VERIFY(c().latest() && c().latest()->decoder);
        QTest::mouseClick(w().latentView()->sampleButton(), Qt::LeftButton);
        auto perturbed = [&](float by) {
            std::shared_ptr<Model> m = c().latest()->decoder->clone();
            for (const Parameter& p : m->parameters())
                for (Index i = 0; i < p.size; ++i) p.value[i] += by;
            return std::shared_ptr<const Model>(std::move(m));
        };
        auto emitSnapshot = [&](RunState state, std::shared_ptr<const Model> decoder) {
            auto snap = std::make_shared<TrainingSnapshot>(*c().latest());
            snap->state = state;
            snap->decoder = std::move(decoder);
            snap->codes = nullptr;
            snap->batches.clear();
            snap->epochs.clear();
            snap->changes.clear();
            emit c().snapshotArrived(snap);
        };
        const auto first = perturbed(0.01f), second = perturbed(0.02f);
        emitSnapshot(RunState::Running, first);  // the gallery follows ...
        emitSnapshot(RunState::Running, second); // ... not again within a second
        emitSnapshot(RunState::Paused, second);  // paused: now
        const Matrix& z = plot().priorCodes();
        QCOMPARE(w().gallery()->sampleCount(), int(z.cols()));
        for (Index i = 0; i < z.cols(); ++i) QVERIFY(w().gallery()->samples().col(i) == decodeToData(*second, z.col(i)));
    }

    void saveThenOpenGivesSameCodes() {
        trainEpochs(2);
        pauseAndSettle();
        const Matrix before = *c().codes();
        const std::shared_ptr<const Model> trained = c().latest()->decoder;
        const int epochs = w().lossPlot()->epochCount();
        const QString path = m_tmp.filePath("roll.llmodel");
        QVERIFY(w().hasUnsavedTraining());
        QVERIFY(w().documents()->saveTo(path));
        QVERIFY(!w().hasUnsavedTraining());
        QVERIFY(w().documents()->recentFiles().contains(QFileInfo(path).absoluteFilePath()));
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().documents()->openPath(path);
        QTRY_COMPARE(session.count(), 1);
        QCOMPARE(m_dialogs->confirms, 0); // saved: nothing to lose
        QCOMPARE(c().session().modelFile, path);
        QTRY_VERIFY(c().latest() && c().latest()->codesComplete);
        QCOMPARE(c().state(), RunState::Paused);
        const Matrix after = *c().codes();
        QCOMPARE(after.cols(), before.cols());
        QVERIFY((after - before).cwiseAbs().maxCoeff() <= 1e-5f * (1 + before.cwiseAbs().maxCoeff()));
        const data::Dataset& d = *c().session().dataset;
        QVERIFY(encodeData(*trained, app::viewOf(d), 0, d.rows) ==
                encodeData(*c().latest()->decoder, app::viewOf(d), 0, d.rows));
        QTRY_COMPARE(plot().plottedPoints(), 3000);
        QVERIFY(*plot().codes() == after);
        QCOMPARE(w().lossPlot()->epochCount(), epochs); // the loss curves came back too
    }

    void closingMidTrainingStopsTheThread() {
        trainEpochs(1);
        QThread* thread = c().thread();
        QVERIFY(thread->isRunning());
        QTRY_COMPARE(c().state(), RunState::Running);
        const long long atClose = c().stepsDone();
        QVERIFY(w().close());
        // Closing stops training within the batch under way (one more may have begun
        // before the close), not at the end of a chunk or an epoch.
        QVERIFY2(c().stepsDone() - atClose <= 2, qPrintable(QString::number(c().stepsDone() - atClose)));
        QCOMPARE(m_dialogs->saveQuestions, 1); // it had trained: the user was asked
        QVERIFY(!thread->isRunning());
        QVERIFY(QSettings().contains("window/state"));
    }

    void badFilesGiveAMessage_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("garbage") << "garbage";
        QTest::newRow("truncated model") << "truncated";
        QTest::newRow("model for other data") << "other";
        QTest::newRow("missing file") << "missing";
    }
    void badFilesGiveAMessage() {
        QFETCH(QString, kind);
        const QString path = m_tmp.filePath(kind + ".llmodel");
        QFile::remove(path);
        if (kind != "missing") {
            QByteArray bytes = "no model here";
            if (kind != "garbage") {
                const SnapshotPtr s = c().latest();
                std::map<std::string, std::string> meta{{"dataset", "swissroll"}};
                if (kind == "other") {
                    app::RunConfig other = app::loadPreset("swissroll-ae");
                    other.dataset.name = "moons";
                    meta["config"] = QJsonDocument(other.toJson()).toJson().toStdString();
                }
                std::unique_ptr<Model> m = s->decoder->clone();
                bytes = QByteArray::fromStdString(serializeModel(*m, nullptr, OptimizerConfig{}, meta));
                if (kind == "truncated") bytes.truncate(bytes.size() / 2);
            }
            writeFile(path, bytes);
        }
        const int session = c().session().session;
        w().documents()->openPath(path);
        QTRY_COMPARE(m_dialogs->errors.size(), 1);
        QVERIFY2(m_dialogs->errors.first().contains(path), qPrintable(m_dialogs->errors.first()));
        QTRY_COMPARE(c().state(), RunState::Ready);
        QCOMPARE(c().session().session, session); // the user's session goes on
        trainEpochs(1);
    }

    void unreadableDatasetKeepsTheSession() {
        const QString path = m_tmp.filePath("ragged.csv");
        writeFile(path, "1,2,3\n4,5\n");
        const int session = c().session().session;
        w().panel()->setDatasetFile(path);
        QTRY_COMPARE(m_dialogs->errors.size(), 1);
        QVERIFY2(m_dialogs->errors.first().contains(path) && m_dialogs->errors.first().contains("row 2"),
                 qPrintable(m_dialogs->errors.first()));
        QTRY_COMPARE(w().panel()->datasetBox()->currentData().toString(), QString("swissroll"));
        QCOMPARE(c().session().session, session);
        QTRY_COMPARE(c().state(), RunState::Ready);
    }

    void nonFiniteLossPausesAndExplains() {
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().applyConfig(exploding());
        QTRY_COMPARE(session.count(), 1);
        w().controls()->trainAction()->trigger();
        QTRY_COMPARE(c().state(), RunState::Failed);
        QTRY_COMPARE(m_dialogs->errors.size(), 1);
        QVERIFY(m_dialogs->errors.first().contains("learning rate"));
        QVERIFY(w().controls()->trainAction()->isEnabled());
        QTRY_VERIFY(c().latest()->state == RunState::Failed);
        QVERIFY(decodeToData(*c().latest()->decoder, Vector::Zero(2)).allFinite());
        // Reset starts again from new weights with a sound learning rate.
        w().panel()->learningRateBox()->setValue(0.01);
        QSignalSpy again(&c(), &TrainingController::sessionStarted);
        w().controls()->resetAction()->trigger();
        QTRY_COMPARE(again.count(), 1);
        QCOMPARE(c().session().config.training.learningRate, 0.01);
        trainEpochs(2);
    }

    void architectureChangeAsksToReset_data() {
        QTest::addColumn<bool>("answer");
        QTest::newRow("reset") << true;
        QTest::newRow("keep the model") << false;
    }
    void architectureChangeAsksToReset() {
        QFETCH(bool, answer);
        w().controls()->stepBatchAction()->trigger();
        QTRY_COMPARE(c().stepsDone(), 1LL);
        m_dialogs->confirmAnswer = answer;
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().panel()->latentBox()->setValue(3);
        QCOMPARE(m_dialogs->confirms, 1);
        if (answer) {
            QTRY_COMPARE(session.count(), 1);
            QCOMPARE(c().session().config.model.latentDim, 3);
            QTRY_VERIFY(c().latest() && c().latest()->codesComplete);
            QTRY_COMPARE(plot().plottedPoints(), 3000);
            w().latentView()->setDims(2, 0); // plot z2 against z0
            QCOMPARE(plot().dimX(), 2);
            const QPoint a = plot().axisRect()->rect().center();
            QTest::mouseClick(&plot(), Qt::LeftButton, {}, a);
            const Vector& z = w().decoderView()->lastCode();
            QCOMPARE(z.size(), Index(3));
            QCOMPARE(z[2], Scalar(plot().planeAt(a).x()));
        } else {
            QCOMPARE(w().panel()->latentBox()->value(), 2);
            QTest::qWait(100);
            QCOMPARE(session.count(), 0);
        }
    }

    void vaeKlHasItsOwnAxis() {
        // beta 0.05: the KL term (unweighted) is ten times the total loss. On the loss axis
        // it would leave the plot; on its own axis both fill theirs.
        LossPlot loss;
        loss.resize(600, 300);
        loss.reset(ModelKind::Vae, 0);
        TrainingSnapshot s;
        for (int e = 1; e <= 20; ++e) {
            EpochReport r;
            r.epoch = e;
            r.train.kl = 10.0 - 0.1 * e;
            r.train.reconstruction = 0.5 - 0.01 * e;
            r.train.total = r.train.reconstruction + 0.05 * r.train.kl;
            r.validation = r.train;
            r.hasValidation = true;
            s.epochs.push_back(r);
        }
        loss.add(s);
        QVERIFY(loss.yAxis2->visible());
        double klTop = 0, totalTop = 0;
        for (int i = 0; i < loss.graphCount(); ++i) {
            QCPGraph* g = loss.graph(i);
            if (g->dataCount() == 0) continue; // the batch losses: none in this snapshot
            bool ok = false;
            const double top = g->getValueRange(ok).upper;
            QVERIFY(ok);
            const bool kl = g->name().contains("KL");
            QCOMPARE(g->valueAxis(), kl ? loss.yAxis2 : loss.yAxis);
            (kl ? klTop : totalTop) = std::max(kl ? klTop : totalTop, top);
        }
        // Every curve inside its axis, and neither axis more than twice its curves' height.
        QVERIFY2(loss.yAxis2->range().upper >= klTop && loss.yAxis2->range().upper < 2 * klTop,
                 qPrintable(QString::number(loss.yAxis2->range().upper)));
        QVERIFY2(loss.yAxis->range().upper >= totalTop && loss.yAxis->range().upper < 2 * totalTop,
                 qPrintable(QString::number(loss.yAxis->range().upper)));
        loss.setLogScale(true);
        QCOMPARE(loss.yAxis2->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(loss.yAxis2->range().lower > 0 && loss.yAxis2->range().upper >= klTop);
        // Without a VAE there is no KL and no right axis.
        loss.reset(ModelKind::Autoencoder, 0);
        QVERIFY(!loss.yAxis2->visible());
    }

    void learningRateChangeIsMarked() {
        w().controls()->stepBatchAction()->trigger();
        QTRY_COMPARE(c().stepsDone(), 1LL);
        QCOMPARE(w().lossPlot()->markCount(), 0);
        w().panel()->learningRateBox()->setValue(0.01);
        w().controls()->stepBatchAction()->trigger();
        QTRY_COMPARE(c().stepsDone(), 2LL);
        QTRY_COMPARE(w().lossPlot()->markCount(), 2); // the line and its label
    }

    void exportsPngAndPdf() {
        trainEpochs(2);
        pauseAndSettle();
        for (const QString name : {"latent.png", "latent.pdf", "loss.png", "loss.pdf"}) {
            const QString path = m_tmp.filePath(name);
            QVERIFY(name.startsWith("latent") ? w().documents()->exportLatentTo(path)
                                              : w().documents()->exportLossTo(path));
            QVERIFY2(QFileInfo(path).size() > 1000, qPrintable(path));
        }
        const QImage latent(m_tmp.filePath("latent.png"));
        QCOMPARE(latent.width() * 4, latent.height() * 5); // 1000 x 800 at the renderer's scale
        QVERIFY(!w().documents()->exportLossTo(m_tmp.filePath("loss.txt")));
        QCOMPARE(m_dialogs->errors.size(), 1);
    }

    void staysResponsiveWhileTraining() {
        w().controls()->trainAction()->trigger();
        QTRY_COMPARE(c().state(), RunState::Running);
        // Zooming the plane and clicking the decoder while training runs at full speed: each
        // click is decoded with the newest weights. How late the event loop runs is a timing
        // figure and is measured by `latentlab --perf-report`, not asserted here.
        const QPoint centre = plot().axisRect()->rect().center();
        QPoint last;
        for (int i = 0; i < 30; ++i) {
            QWheelEvent wheel(centre, plot().mapToGlobal(centre), {}, QPoint(0, i % 2 ? 120 : -120), Qt::NoButton,
                              Qt::NoModifier, Qt::NoScrollPhase, false);
            QCoreApplication::sendEvent(&plot(), &wheel);
            last = centre + QPoint(i, -i);
            QTest::mouseClick(&plot(), Qt::LeftButton, {}, last);
            QTest::qWait(30);
        }
        const QPointF z = plot().planeAt(last);
        QCOMPARE(w().decoderView()->lastCode().size(), 2);
        QCOMPARE(double(w().decoderView()->lastCode()(0)), double(float(z.x())));
        QCOMPARE(double(w().decoderView()->lastCode()(1)), double(float(z.y())));
        QVERIFY(c().state() == RunState::Running || c().state() == RunState::Finished);
        QVERIFY(w().decoderView()->lastOutput() == decodeToData(*c().latest()->decoder, w().decoderView()->lastCode()));
    }

    void withoutDisplayPointsToCli() {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(v);
        p.setProcessEnvironment(env);
        p.start(LATENTLAB_GUI_PATH, {});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        QCOMPARE(err.count('\n'), 0);
        QVERIFY2(err.contains("latentlab-cli") && err.contains("display"), qPrintable(err));
    }
};

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
