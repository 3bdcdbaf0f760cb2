// The desktop program driven through its real widgets on the offscreen platform: training
// updates the plots, Space pauses within a batch, a click decodes exactly that point,
// sampling fills the gallery, the loss plot's axes, architecture changes, and no display.
// Files, exports and failures are in tst_documents.
#include "GuiFixture.h"

#include "latentlab/Batch.h"
#include "latentlab/Conv.h"
#include "latentlab/Dense.h"
#include "latentlab/Generators.h"
#include "latentlab/IdxReader.h"
#include "latentlab/LatentGrid.h"
#include "latentlab/Metrics.h"
#include "latentlab/Multiply.h"
#include "latentlab/Random.h"
#include "panels/LayerListDialog.h"
#include "training/CodeRefresher.h"
#include "views/LatestTask.h"
#include "views/latent/ElidingLabel.h"
#include "views/output/FiltersView.h"
#include "views/anomaly/AnomalyView.h"
#include "views/denoising/DenoisingView.h"
#include "views/interpolation/InterpolationView.h"
#include "views/manifold/ManifoldView.h"
#include "views/pca/PcaView.h"
#include "views/metrics/MetricsView.h"
#include "views/output/ImageView.h"
#include "views/output/PointCloudView.h"
#include "views/plots/PlotTheme.h"

#include <QDir>
#include <QDockWidget>
#include <QFormLayout>
#include <QListWidget>
#include <QMainWindow>
#include <QMenuBar>
#include <QPushButton>
#include <QTableWidget>
#include <QToolTip>
#include <QStatusBar>

using namespace guitest;

namespace {
// Epoch reports of a beta-0.05 VAE whose KL term falls from kl0 by klStep an epoch, with
// validation equal to training: the loss plot's tests draw them.
std::vector<EpochReport> vaeEpochs(int epochs, double kl0, double klStep) {
    std::vector<EpochReport> out;
    for (int e = 1; e <= epochs; ++e) {
        EpochReport r;
        r.epoch = e;
        r.train.kl = kl0 - klStep * e;
        r.train.reconstruction = 0.5 - 0.01 * e;
        r.train.total = r.train.reconstruction + 0.05 * r.train.kl;
        r.validation = r.train;
        r.hasValidation = true;
        out.push_back(r);
    }
    return out;
}

// The views' share of a core as the window sets it when training starts (1 %) and stops
// (no limit), for views driven by hand; no limit again at the end of the scope.
struct TrainingShare {
    TrainingShare() { start(); }
    ~TrainingShare() { stop(); }
    void start() { LatestTask::setCpuShare(0.01); }
    void stop() { LatestTask::setCpuShare(1.0); }
};
} // namespace

class TestGui : public guitest::WindowTest {
    Q_OBJECT

    // A 600-sample roll with `preset`'s model, its session started and ready.
    // False when it did not start (and become ready) within 30 s.
    bool smallRoll(const QString& preset) {
        app::RunConfig config = app::loadPreset(preset);
        config.dataset.generator.samples = 600;
        const int before = c().hasSession() ? c().session().session : 0;
        w().applyConfig(config);
        return QTest::qWaitFor([&] { return c().hasSession() && c().session().session > before; }, 30000) &&
               QTest::qWaitFor([&] { return ready(); }, 30000);
    }

    // A 1-D autoencoder of the blobs, one class left out of training: for the anomalies.
    static app::RunConfig blobsLeavingOut(int leftOut, int epochs) {
        app::RunConfig config = app::loadPreset("swissroll-ae");
        config.dataset.name = "blobs";
        config.dataset.holdOutClass = leftOut;
        config.model.latentDim = 1;
        config.training.epochs = epochs;
        return config;
    }

private slots:
    void initTestCase() { setUpApplication("tst_gui"); }
    void init() { openWindow(); }
    void cleanup() { closeWindow(); }

    void startsOnSwissRollPreset() {
        QCOMPARE(c().session().config.name, QString("swissroll-ae"));
        QCOMPARE(w().panel()->datasetBox()->currentData().toString(), QString("swissroll"));
        QCOMPARE(c().state(), RunState::Ready);
        QTRY_COMPARE(plot().plottedPoints(), 3000); // every sample, encoded by the new model
    }

    void trainingUpdatesThePlots() {
        QSignalSpy epochs(&c(), &TrainingController::epochCompleted);
        QTRY_COMPARE(plot().plottedPoints(), 3000); // the first codes, all of them
        const Matrix before = *plot().codes();
        QSignalSpy codes(&plot(), &LatentPlot::codesChanged);
        w().controls()->trainAction()->trigger();
        QTRY_COMPARE(c().state(), RunState::Running);
        QTRY_VERIFY(epochs.count() >= 3);
        // The plane follows: new codes whenever the time budget allows re-encoding them all
        // (on a slow build, such as the sanitizers', that can take a few seconds).
        QTRY_VERIFY_WITH_TIMEOUT(codes.count() >= 1 && !plot().codes()->isApprox(before), 30000);
        QCOMPARE(plot().plottedPoints(), 3000);
        QVERIFY(w().lossPlot()->epochCount() >= 3);
        QVERIFY(w().reconstructions()->reconstructions());
        QTRY_VERIFY(w().controls()->progressText().contains("samples/s"));
        QVERIFY(w().controls()->progressBar()->value() > 0);
    }

    // A narrow plane's toolbar shows the start of the coverage text and "…", never a word
    // chopped mid-letter; wide enough, all of it; the whole text is kept either way.
    void coverageTextIsElidedWhenNarrow() {
        ElidingLabel label;
        label.show(); // a hidden widget gets its resize events only when shown
        const QString text = "Training: 3,000 of 70,000 samples, re-encoded together with the newest weights; "
                             "pause to see all";
        label.resize(160, 20);
        label.setFullText(text);
        QVERIFY2(label.text().endsWith(QChar(0x2026)) && label.text().startsWith("Training: 3,0"),
                 qPrintable(label.text()));
        QVERIFY(label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width());
        QCOMPARE(label.fullText(), text);
        label.resize(label.fontMetrics().horizontalAdvance(text) + 10, 20); // wider: all of it again
        QCOMPARE(label.text(), text);
        label.resize(100, 20);
        QVERIFY(label.text().endsWith(QChar(0x2026)) && label.text().size() < 30);
        const QString at100 = label.text();
        QFont small = label.font(); // a smaller font: more of the text fits the same width
        small.setPointSizeF(label.font().pointSizeF() / 2);
        label.setFont(small);
        QVERIFY2(label.text().size() > at100.size() && label.text().endsWith(QChar(0x2026)), qPrintable(label.text()));
        label.setFullText(QString());
        QVERIFY(label.text().isEmpty());
    }

    // While training a large set the plane shows a subset re-encoded whole with the newest
    // weights, and says so; paused, every sample.
    void planeNeverMixesModels() {
        app::RunConfig big = app::loadPreset("swissroll-ae");
        big.dataset.generator.samples = 7000;
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().applyConfig(big);
        QTRY_COMPARE(session.count(), 1);
        QTRY_COMPARE(plot().plottedPoints(), 7000);
        QVERIFY(w().latentView()->coverageText().isEmpty());
        QSignalSpy codes(&plot(), &LatentPlot::codesChanged);
        w().controls()->trainAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(codes.count() >= 2, 20000);
        const Index live = CodeRefresher::kLiveSamples;
        QCOMPARE(plot().plottedPoints(), int(live));
        QVERIFY2(w().latentView()->coverageText().startsWith("Training: 3,000 of 7,000 samples"),
                 qPrintable(w().latentView()->coverageText()));
        // What shows beside the plane is that text, as much of it as fits (this test's
        // window leaves the label no room at all; coverageTextIsElidedWhenNarrow has more).
        const ElidingLabel* coverage = w().latentView()->coverageLabel();
        QCOMPARE(coverage->fullText(), w().latentView()->coverageText());
        QVERIFY(coverage->fontMetrics().horizontalAdvance(coverage->text()) <= coverage->contentsRect().width());
        QVERIFY2(coverage->text() == coverage->fullText() || coverage->text().isEmpty() ||
                     (coverage->text().endsWith(QChar(0x2026)) && coverage->fullText().startsWith(coverage->text().chopped(1))),
                 qPrintable(coverage->text()));
        // Every code shown comes from one model: the decoder clone published with them.
        pauseAndSettle();
        QTRY_COMPARE(plot().plottedPoints(), 7000);
        QVERIFY(w().latentView()->coverageText().isEmpty());
        const data::Dataset& d = *c().session().dataset;
        const Matrix expected = encodeData(*c().latest()->decoder, app::viewOf(d), 0, d.rows);
        QVERIFY((*plot().codes() - expected).cwiseAbs().maxCoeff() <= 1e-4f * (1 + expected.cwiseAbs().maxCoeff()));
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

    // Still over a sample, the plane's general tooltip does not cover its card; a pan or a
    // zoom takes the card away with the point.
    void hoverCardIsNotCoveredAndGoesWithAPan() {
        QTRY_COMPARE(plot().plottedPoints(), 3000);
        plot().replot();
        HoverCard* card = w().latentView()->hoverCard();
        auto sample = [&] {
            const Matrix& z = *plot().codes();
            return plot().pixelFor(z(0, 5), z(1, 5)).toPoint();
        };
        const QPoint p = sample();
        QTest::mouseMove(&plot(), p + QPoint(30, 30)); // a move to where the mouse already is is no move
        QTest::mouseMove(&plot(), p);
        QTRY_VERIFY(card->isVisible() && card->shownRow() >= 0);
        QHelpEvent still(QEvent::ToolTip, p, plot().mapToGlobal(p));
        QApplication::sendEvent(&plot(), &still);
        QVERIFY(!QToolTip::isVisible());
        QVERIFY(card->isVisible());
        // Away from every point the tooltip does show.
        const QPoint empty = plot().axisRect()->rect().topLeft() + QPoint(2, 2);
        QTest::mouseMove(&plot(), empty);
        QTRY_VERIFY(!card->isVisible());
        QHelpEvent away(QEvent::ToolTip, empty, plot().mapToGlobal(empty));
        QApplication::sendEvent(&plot(), &away);
        QTRY_VERIFY(QToolTip::isVisible());
        QToolTip::hideText();
        // Right-drag pan.
        const QPoint q = sample();
        QTest::mouseMove(&plot(), q);
        QTRY_VERIFY(card->isVisible());
        QTest::mousePress(&plot(), Qt::RightButton, {}, q);
        QMouseEvent drag(QEvent::MouseMove, QPointF(q + QPoint(40, 25)), plot().mapToGlobal(QPointF(q + QPoint(40, 25))),
                         Qt::NoButton, Qt::RightButton, {});
        QApplication::sendEvent(&plot(), &drag);
        QTest::mouseRelease(&plot(), Qt::RightButton, {}, q + QPoint(40, 25));
        QVERIFY(!card->isVisible());
        // Wheel zoom.
        const QPoint r = sample();
        QTest::mouseMove(&plot(), r + QPoint(1, 0));
        QTest::mouseMove(&plot(), r);
        QTRY_VERIFY(card->isVisible());
        QWheelEvent wheel(QPointF(r), plot().mapToGlobal(QPointF(r)), QPoint(), QPoint(0, 120), Qt::NoButton, {},
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(&plot(), &wheel);
        QVERIFY(!card->isVisible());
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
        QVERIFY(w().gallery()->samples() == decodeColumns(decoder, z));
        QVERIFY(w().gallery()->samples().col(n - 1).isApprox(decodeToData(decoder, z.col(n - 1)), 1e-5f));
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
        const Matrix& shown = plot().priorCodes();
        if (w().gallery()->samples() == decodeColumns(*second, shown))
            QSKIP("more than a second passed between two snapshots: the case cannot be set up");
        QVERIFY(w().gallery()->samples() == decodeColumns(*first, shown));
        emitSnapshot(RunState::Paused, second);  // paused: now
        const Matrix& z = plot().priorCodes();
        QCOMPARE(w().gallery()->sampleCount(), int(z.cols()));
        QVERIFY(w().gallery()->samples() == decodeColumns(*second, z));
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
        QCOMPARE(m_dialogs->lastButton, QString("Change latent dimensions"));
        QVERIFY2(m_dialogs->lastQuestion.startsWith("Change the latent dimensions to 3, discarding the current model?"),
                 qPrintable(m_dialogs->lastQuestion));
        QVERIFY2(m_dialogs->lastQuestion.contains("(1 batch)"), qPrintable(m_dialogs->lastQuestion));
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

    // Step batch says where in the epoch training stands; the text is beside the bar, not
    // drawn over its fill (where it would change colour mid-word).
    void stepBatchShowsItsProgress() {
        ControlBar* bar = w().controls();
        QVERIFY(!bar->progressBar()->isTextVisible());
        QTRY_COMPARE(bar->progressText(), QString("Epoch 0/300"));
        const Index perEpoch = c().latest()->progress.batchesPerEpoch;
        QVERIFY(perEpoch > 2);
        bar->stepBatchAction()->trigger();
        QTRY_COMPARE(bar->progressText(), QString("Epoch 1/300 · batch 1/%1").arg(perEpoch));
        bar->stepBatchAction()->trigger();
        QTRY_COMPARE(bar->progressText(), QString("Epoch 1/300 · batch 2/%1").arg(perEpoch));
        bar->stepEpochAction()->trigger();
        QTRY_COMPARE(bar->progressText(), QString("Epoch 1/300"));
    }

    // The progress text changes several times a second while training. It must not make
    // the window lay itself out again each time (it did, docks and all: the label grew and
    // shrank with its text); a text too long for its room is elided and kept whole.
    void progressTextLeavesTheLayoutAlone() {
        struct LayoutRequests : QObject {
            int count = 0;
            bool eventFilter(QObject*, QEvent* e) override {
                if (e->type() == QEvent::LayoutRequest) ++count;
                return false;
            }
        } requests;
        // The bar's own layout requests: a label in it that changes size asks its bar first,
        // and the bar then the window. (The window's requests would count other widgets too.)
        ControlBar* bar = w().controls();
        QTRY_VERIFY(ready());
        bar->installEventFilter(&requests);
        bar->setState(RunState::Running, {});
        // Until the layouts the new state asked for are done: 200 ms without a new request.
        for (int before = -1; before != requests.count;) {
            before = requests.count;
            QTest::qWait(200);
        }
        requests.count = 0;
        const int width = bar->width();
        Progress p;
        p.epochs = 300;
        for (double rate : {850.0, 15500.0, 1.2e6}) {
            p.epoch += 7;
            p.samplesPerSecond = rate;
            p.etaSeconds = 3.0e7 / rate;
            bar->setProgress(p);
            QCoreApplication::processEvents();
        }
        QCOMPARE(bar->progressText(), QString("Epoch 21/300 · 1.20M samples/s · ETA 0:25"));
        const QList<QLabel*> labels = bar->findChildren<QLabel*>();
        auto showing = [&](const QString& start) {
            const auto it = std::find_if(labels.begin(), labels.end(), [&](QLabel* l) { return l->text().startsWith(start); });
            return it == labels.end() ? nullptr : *it;
        };
        QVERIFY(showing("Epoch 21/300"));
        QCOMPARE(showing("Epoch 21/300")->text(), bar->progressText()); // a training text fits whole
        const QString loading = "Loading " + QString(40, 'x') + QDir::separator() + QString(200, 'y') + ".csv";
        bar->setBusy(loading);
        QCoreApplication::processEvents();
        QCOMPARE(requests.count, 0);
        QCOMPARE(bar->width(), width);
        QCOMPARE(bar->progressText(), loading);
        QLabel* shown = showing("Loading");
        QVERIFY(shown);
        QVERIFY2(shown->text().size() < loading.size() && shown->text().contains(QChar(0x2026)), qPrintable(shown->text()));
        QVERIFY(shown->toolTip().startsWith(loading));
    }

    // A diverged decoder's huge numbers are written short, and the caption never runs past
    // the view's edge.
    void decoderCaptionFitsItsView() {
        DecoderView* view = w().decoderView();
        PointCloudView* cloud = view->cloudView();
        QTRY_VERIFY(cloud->isVisible());
        Vector z(2), x(3);
        z << -12.5f, 3.25f;
        x << -10751644672.0f, 2.5e9f, 0.5f;
        view->showDecoded(z, x);
        cloud->resize(900, cloud->height());
        const QString all = cloud->shownCaption().join('\n');
        QVERIFY2(all.contains("z = (-12.50, 3.25)") && all.contains("-1.08e+10, 2.5e+09, 0.50") &&
                     !all.contains("10751644672"),
                 qPrintable(all));
        // Narrow: each line cut with an ellipsis, inside the view.
        for (int width : {300, 130}) {
            cloud->resize(width, cloud->height());
            const QStringList lines = cloud->shownCaption();
            QVERIFY(lines.size() >= 2);
            for (const QString& line : lines)
                QVERIFY2(cloud->fontMetrics().horizontalAdvance(line) <= width - 12, qPrintable(line));
            QVERIFY2(lines.first().startsWith("z = ("), qPrintable(lines.first()));
        }
        QVERIFY(cloud->shownCaption().join("").contains(QChar(0x2026)));
    }

    // Images are scaled on the GUI thread itself (Qt's painter hands big ones to its thread
    // pool): each source pixel a sharp block, translucent ones over what is below, clipped.
    void nearestScalingIsSharpBlendedAndClipped() {
        QImage image(2, 2, QImage::Format_ARGB32);
        image.setPixel(0, 0, qRgb(0, 0, 0));
        image.setPixel(1, 0, qRgb(255, 255, 255));
        image.setPixel(0, 1, qRgb(200, 10, 10));
        image.setPixel(1, 1, qRgba(0, 255, 0, 128)); // half green over the blue canvas
        QImage canvas(8, 8, QImage::Format_ARGB32_Premultiplied);
        canvas.fill(QColor(0, 0, 255));
        drawNearest(image, canvas, QRect(2, 2, 4, 4));
        auto at = [&](int x, int y) { return canvas.pixel(x, y); };
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x) {
                const bool inside = x >= 2 && x < 6 && y >= 2 && y < 6;
                if (!inside) {
                    QCOMPARE(at(x, y), qRgb(0, 0, 255));
                    continue;
                }
                const int sx = (x - 2) / 2, sy = (y - 2) / 2;
                if (sx == 1 && sy == 1) {
                    const QRgb c = at(x, y);
                    QVERIFY2(qAbs(qRed(c)) <= 1 && qAbs(qGreen(c) - 128) <= 1 && qAbs(qBlue(c) - 127) <= 1 &&
                                 qAlpha(c) == 255,
                             qPrintable(QString::number(c, 16)));
                } else {
                    QCOMPARE(at(x, y), image.pixel(sx, sy) | 0xff000000u);
                }
            }
        // Partly outside the canvas: the part inside is drawn, nothing else is touched.
        QImage small(4, 4, QImage::Format_ARGB32_Premultiplied);
        small.fill(Qt::blue);
        drawNearest(image, small, QRect(-2, -2, 4, 4)); // only the bottom-right source pixel lands
        QCOMPARE(small.pixel(0, 0), at(4, 4));
        QCOMPARE(small.pixel(2, 2), qRgb(0, 0, 255));
    }

    // The view shows the newest image and caption (its picture is redrawn when either changes).
    void imageViewShowsTheNewestImage() {
        ImageView view;
        view.resize(120, 140);
        QImage a(4, 4, QImage::Format_Grayscale8);
        a.fill(0);
        a.setPixel(3, 0, qRgb(255, 255, 255));
        view.setImage(a);
        view.setCaption("first");
        auto grabbed = [&] { return view.grab().toImage().convertToFormat(QImage::Format_RGB32); };
        const QImage first = grabbed();
        // 4 x 4 pixels in at most 116 x (136 - caption): whole multiples, so each is a square block.
        const int block = std::min(116, 136 - view.fontMetrics().height() - 4) / 4;
        QVERIFY(block >= 20);
        const QPoint topLeft((120 - 4 * block) / 2 + 1, 2 + (136 - view.fontMetrics().height() - 4 - 4 * block) / 2);
        QCOMPARE(first.pixel(topLeft + QPoint(block / 2, block / 2)), qRgb(0, 0, 0));
        QCOMPARE(first.pixel(topLeft + QPoint(3 * block + block / 2, block / 2)), qRgb(255, 255, 255));
        QCOMPARE(first.pixel(1, 1), view.palette().color(view.backgroundRole()).rgb());
        QImage b = a;
        b.setPixel(3, 0, qRgb(0, 0, 0));
        b.setPixel(0, 3, qRgb(255, 255, 255));
        view.setImage(b);
        const QImage second = grabbed();
        QCOMPARE(second.pixel(topLeft + QPoint(3 * block + block / 2, block / 2)), qRgb(0, 0, 0));
        QCOMPARE(second.pixel(topLeft + QPoint(block / 2, 3 * block + block / 2)), qRgb(255, 255, 255));
        const QRect captionArea(0, 140 - view.fontMetrics().height() - 4, 120, view.fontMetrics().height() + 4);
        view.setCaption("second, longer");
        const QImage third = grabbed();
        QVERIFY(third.copy(captionArea) != second.copy(captionArea));
        QCOMPARE(third.copy(0, 0, 120, captionArea.top()), second.copy(0, 0, 120, captionArea.top()));
    }

    // A placeholder ("Only a VAE has a prior…") stands in the middle of its view, for point
    // data and image data alike.
    void placeholdersAreCentred_data() {
        QTest::addColumn<bool>("images");
        QTest::newRow("points (Swiss roll)") << false;
        QTest::newRow("images (Fashion-MNIST)") << true;
    }
    void placeholdersAreCentred() {
        QFETCH(bool, images);
        auto d = std::make_shared<data::Dataset>();
        d->name = images ? "fashion-mnist" : "swissroll";
        d->rows = 1;
        d->cols = images ? 784 : 3;
        if (images) d->imageWidth = d->imageHeight = 28;
        SessionInfo info;
        info.config = app::loadPreset("swissroll-ae");
        info.dataset = d;
        SampleGallery gallery;
        gallery.resize(320, 400);
        gallery.setSession(info);
        const QImage shot = gallery.grab().toImage();
        const QRgb background = shot.pixel(1, 1);
        QRect ink;
        for (int y = 0; y < shot.height(); ++y)
            for (int x = 0; x < shot.width(); ++x)
                if (shot.pixel(x, y) != background) ink |= QRect(x, y, 1, 1);
        QVERIFY(!ink.isEmpty());
        const QPoint off = ink.center() - QRect(QPoint(0, 0), shot.size()).center();
        QVERIFY2(std::abs(off.x()) <= 20 && std::abs(off.y()) <= 20,
                 qPrintable(QString("text centred at offset (%1, %2)").arg(off.x()).arg(off.y())));
    }

    // The question names what the user did (a preset, a dataset) and what would be lost.
    void discardQuestionSaysWhatTheUserDid() {
        trainEpochs(1);
        pauseAndSettle();
        const int epochs = c().latest()->progress.epoch;
        QVERIFY(epochs >= 1);
        m_dialogs->confirmAnswer = false;
        QMenu* presets = nullptr;
        for (QAction* a : w().menuBar()->actions())
            if (a->text() == "&Presets") presets = a->menu();
        QVERIFY(presets);
        for (QAction* a : presets->actions())
            if (a->text() == "mnist-vae") a->trigger();
        QCOMPARE(m_dialogs->confirms, 1);
        QCOMPARE(m_dialogs->lastButton, QString("Load preset"));
        const QString lost = epochs == 1 ? QString("(1 epoch") : QString("(%1 epochs").arg(epochs);
        QVERIFY2(m_dialogs->lastQuestion.startsWith("Load preset mnist-vae, discarding the current model?") &&
                     m_dialogs->lastQuestion.contains(lost),
                 qPrintable(m_dialogs->lastQuestion));
        QComboBox* data = w().panel()->datasetBox();
        const int moons = data->findData("moons");
        QVERIFY(moons >= 0);
        data->setCurrentIndex(moons);
        emit data->activated(moons);
        QCOMPARE(m_dialogs->confirms, 2);
        QCOMPARE(m_dialogs->lastButton, QString("Switch dataset"));
        QVERIFY2(m_dialogs->lastQuestion.startsWith("Switch the dataset to moons, discarding the current model?"),
                 qPrintable(m_dialogs->lastQuestion));
        QCOMPARE(data->currentData().toString(), QString("swissroll")); // kept, as answered
    }

    // On a linear axis the first epochs may be let out of the top, but never silently.
    void epochsAboveTheTopAreShown() {
        LossPlot loss;
        loss.resize(600, 300);
        loss.reset(ModelKind::Autoencoder, QString(), 20);
        TrainingSnapshot s;
        for (int e = 1; e <= 20; ++e) {
            EpochReport r;
            r.epoch = e;
            r.train.total = r.train.reconstruction = e == 1 ? 2.4 : 0.35 - 0.005 * e;
            s.epochs.push_back(r);
        }
        loss.add(s);
        loss.replot();
        QVERIFY2(loss.yAxis->range().upper < 1, qPrintable(QString::number(loss.yAxis->range().upper)));
        QCOMPARE(loss.pointsAboveTop(), 1);
        QVERIFY2(loss.aboveTopNote().contains("epoch 1 above the top (up to 2.4)"), qPrintable(loss.aboveTopNote()));
        loss.setLogScale(true); // everything fits: no note
        loss.replot();
        QCOMPARE(loss.pointsAboveTop(), 0);
        QVERIFY(loss.aboveTopNote().isEmpty());
    }

    // Change marks: labels inside the plot (a change before training is at epoch 0), clear
    // of each other and of the curves, also when changes come close together.
    void changeLabelsStayClear() {
        LossPlot loss;
        loss.resize(700, 240);
        loss.show(); // the plot takes its size from its resize event
        QVERIFY(QTest::qWaitForWindowExposed(&loss));
        loss.reset(ModelKind::Vae, QString(), 10);
        TrainingSnapshot s;
        s.epochs = vaeEpochs(10, 6.0, 0.2);
        s.changes = {{0.0, "lr 0.002 → 0.005"}, {3.0, "lr 0.005 → 0.01"}, {3.1, "β 0.05 → 0.1"},
                     {3.2, "lr 0.01 → 0.001"}, {9.99, "β 0.1 → 0.5"}};
        loss.add(s);
        loss.replot();
        loss.replot(); // the band above the curves settles with the rows it needs
        const QRect plotArea = loss.axisRect()->rect();
        const std::vector<QRectF> labels = loss.markLabelRects();
        QCOMPARE(labels.size(), size_t(5));
        for (size_t i = 0; i < labels.size(); ++i) {
            QVERIFY2(labels[i].left() >= plotArea.left() && labels[i].right() <= plotArea.right() + 1 &&
                         labels[i].top() >= plotArea.top(),
                     qPrintable(QString("label %1 leaves the plot").arg(i)));
            for (size_t j = i + 1; j < labels.size(); ++j)
                QVERIFY2(!labels[i].intersects(labels[j]), qPrintable(QString("labels %1 and %2 overlap").arg(i).arg(j)));
            for (int g = 0; g < loss.graphCount(); ++g)
                for (auto it = loss.graph(g)->data()->constBegin(); it != loss.graph(g)->data()->constEnd(); ++it) {
                    const QPointF p(loss.xAxis->coordToPixel(it->key), loss.graph(g)->valueAxis()->coordToPixel(it->value));
                    QVERIFY2(!labels[i].contains(p), qPrintable(QString("label %1 covers %2 at epoch %3")
                                                                    .arg(i)
                                                                    .arg(loss.graph(g)->name())
                                                                    .arg(it->key)));
                }
        }
    }

    void vaeKlHasItsOwnAxis() {
        // beta 0.05: the KL term (unweighted) is ten times the total loss. On the loss axis
        // it would leave the plot; on its own axis both fill theirs.
        LossPlot loss;
        loss.resize(600, 300);
        loss.reset(ModelKind::Vae, QString());
        TrainingSnapshot s;
        s.epochs = vaeEpochs(20, 10.0, 0.1);
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
        loss.reset(ModelKind::Autoencoder, QString());
        QVERIFY(!loss.yAxis2->visible());
    }

    void learningRateChangeIsMarked() {
        w().controls()->stepBatchAction()->trigger();
        QTRY_COMPARE(c().stepsDone(), 1LL);
        QCOMPARE(w().lossPlot()->markCount(), 0);
        w().panel()->learningRateBox()->setValue(0.01);
        w().controls()->stepBatchAction()->trigger();
        QTRY_COMPARE(c().stepsDone(), 2LL);
        QTRY_COMPARE(w().lossPlot()->markCount(), 1);
    }

    void zoomAndClickWhileTrainingUseTheNewestWeights() {
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

    // A dataset of one's own after MNIST's VAE does not inherit its sizes: the window
    // proposes settings from the data (features, samples), shows them and says so.
    void newDatasetGetsSettingsThatSuitIt() {
        app::RunConfig big = app::loadPreset("swissroll-vae");
        big.dataset.generator.samples = 400;
        big.model.encoderWidths = {512, 256};
        big.model.beta = 4;
        big.model.latentDim = 3;
        big.training.batchSize = 128;
        big.training.epochs = 20;
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().applyConfig(big);
        QTRY_COMPARE(session.count(), 1);
        QCOMPARE(c().session().config.model.encoderWidths, (std::vector<int>{512, 256}));

        const QString path = m_tmp.filePath("five.csv");
        QByteArray csv = "a,b,c,d,e\n";
        for (int i = 0; i < 250; ++i)
            for (int j = 0; j < 5; ++j) csv += QByteArray::number((i * (j + 3)) % 17) + (j < 4 ? "," : "\n");
        writeFile(path, csv);
        w().panel()->setDatasetFile(path);
        QTRY_COMPARE(session.count(), 2);
        const app::RunConfig& now = c().session().config;
        QCOMPARE(now.model.kind, ModelKind::Vae); // the user's choice of kind stays
        QCOMPARE(now.model.encoderWidths, (std::vector<int>{64, 64, 64}));
        QCOMPARE(now.model.activation, Activation::ELU);
        QCOMPARE(now.model.latentDim, 3);
        QCOMPARE(now.model.beta, 0.05);
        QCOMPARE(now.training.batchSize, 32);
        QCOMPARE(now.training.epochs, 300);
        QCOMPARE(w().panel()->betaBox()->value(), 0.05);
        QCOMPARE(w().panel()->epochsBox()->value(), 300);
        QVERIFY2(w().statusBar()->currentMessage().startsWith("Proposed for 200 training samples of 5 features"),
                 qPrintable(w().statusBar()->currentMessage()));
        // A change the user makes afterwards is taken as it is.
        w().panel()->latentBox()->setValue(2);
        QTRY_COMPARE(session.count(), 3);
        QCOMPARE(c().session().config.model.latentDim, 2);
        QCOMPARE(c().session().config.model.encoderWidths, (std::vector<int>{64, 64, 64}));
    }

    // A CSV file's label column and header row are chosen in the panel and reach the data.
    void csvLabelColumnAndHeaderChoices() {
        const QString path = m_tmp.filePath("points.csv");
        QByteArray csv = "x,y,kind\n";
        for (int i = 0; i < 60; ++i)
            csv += QByteArray::number(i * 0.25) + "," + QByteArray::number(i % 7) + "," + QByteArray::number(i % 3) + "\n";
        writeFile(path, csv);
        SettingsPanel* panel = w().panel();
        QVERIFY(!panel->labelColumnBox()->isVisibleTo(panel)); // swissroll is no CSV file
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        panel->setDatasetFile(path);
        QTRY_COMPARE(session.count(), 1);
        QVERIFY(panel->labelColumnBox()->isVisibleTo(panel) && panel->headerBox()->isVisibleTo(panel));
        QCOMPARE(c().session().dataset->cols, int64_t(3)); // no label yet: every column is a feature
        QCOMPARE(c().session().dataset->labelKind, data::LabelKind::None);

        QComboBox* label = panel->labelColumnBox();
        QCOMPARE(label->count(), 4); // none and the three columns, by their header names
        const int kind = label->findData(2);
        QCOMPARE(label->itemText(kind), QString("3: kind"));
        label->setCurrentIndex(kind);
        emit label->activated(kind);
        QTRY_COMPARE(session.count(), 2);
        QCOMPARE(c().session().config.dataset.csvLabelColumn, 2);
        const data::Dataset& d = *c().session().dataset;
        QCOMPARE(d.cols, int64_t(2));
        QCOMPARE(d.labelKind, data::LabelKind::Class);
        QCOMPARE(d.labelName, std::string("kind"));
        QCOMPARE(d.classNames.size(), size_t(3));

        // Header "no": row 1 is data, its names are refused, and the model goes on.
        QComboBox* header = panel->headerBox();
        const int no = header->findData("no");
        header->setCurrentIndex(no);
        emit header->activated(no);
        QTRY_COMPARE(m_dialogs->errors.size(), 1);
        QVERIFY2(m_dialogs->errors.first().contains("row 1, column 1: 'x' is not a number"),
                 qPrintable(m_dialogs->errors.first()));
        QCOMPARE(session.count(), 2);
        QTRY_COMPARE(header->currentData().toString(), QString("auto")); // the panel shows the session's
        QCOMPARE(label->currentData().toInt(), 2);
        // The progress bar is back to the session's progress, not left at "Loading …".
        QTRY_VERIFY2(!w().controls()->progressText().startsWith("Loading"),
                     qPrintable(w().controls()->progressText()));
        QVERIFY2(w().controls()->progressText().startsWith("Epoch "),
                 qPrintable(w().controls()->progressText()));
    }

    // A CSV file in a folder with a long name: the path under the Dataset field wraps inside
    // the settings panel instead of widening it (which cut off every field's arrows).
    void longDatasetPathDoesNotWidenThePanel() {
        SettingsPanel* panel = w().panel();
        QByteArray csv = "a,b\n";
        for (int i = 0; i < 30; ++i) csv += QByteArray::number(i) + "," + QByteArray::number(i % 5) + "\n";
        writeFile(m_tmp.filePath("s.csv"), csv);
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        panel->setDatasetFile(m_tmp.filePath("s.csv"));
        QTRY_COMPARE(session.count(), 1);
        const int before = panel->minimumSizeHint().width(); // a CSV file with a short path

        const QString dir = m_tmp.filePath("a_rather_long_directory_name_for_measurements/and_another_nested_level_2026");
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + "/f.csv";
        writeFile(path, csv);
        panel->setDatasetFile(path);
        QTRY_COMPARE(session.count(), 2);
        QVERIFY2(panel->minimumSizeHint().width() <= before + 2,
                 qPrintable(QString("panel minimum width %1 -> %2").arg(before).arg(panel->minimumSizeHint().width())));
    }

    // A new session's empty loss plot spans its own planned epochs and a unit loss, not
    // the ranges of the run before it (issue 10, item 3).
    void emptyLossPlotShowsTheNewRunsEpochs() {
        LossPlot plot;
        plot.xAxis->setRange(0, 135); // as a previous, longer run left it
        plot.yAxis->setRange(0, 42);
        plot.reset(ModelKind::Vae, QString(), 20);
        QCOMPARE(plot.xAxis->range().lower, 0.0);
        QCOMPARE(plot.xAxis->range().upper, 20.0);
        QCOMPARE(plot.yAxis->range().upper, 1.0);
    }

    // The View menu shows "Data & model", not "Data _model"; the title does not name the
    // program twice (Qt appends the display name to it) (issue 10, item 8).
    void viewMenuAndTitleReadRight() {
        QStringList texts;
        for (QDockWidget* dock : m_window->findChildren<QDockWidget*>()) texts << dock->toggleViewAction()->text();
        QVERIFY2(texts.contains("Data && model"), qPrintable(texts.join(" | ")));
        QVERIFY2(!m_window->windowTitle().contains("Latent Lab"), qPrintable(m_window->windowTitle()));
        QVERIFY2(m_window->windowTitle().contains(" on "), qPrintable(m_window->windowTitle()));
    }

    // A refused CSV file leaves the Dataset list again, and the progress bar is not left at
    // "Loading …" (issue 10, item 13).
    void refusedFileLeavesTheDatasetList() {
        const QString ragged = m_tmp.filePath("ragged.csv");
        writeFile(ragged, "1,2,3\n4,5\n6,7,8\n");
        SettingsPanel* panel = w().panel();
        QComboBox* dataset = panel->findChild<QComboBox*>("dataset");
        QVERIFY(dataset);
        const int errorsBefore = int(m_dialogs->errors.size());
        panel->setDatasetFile(ragged);
        QTRY_COMPARE(int(m_dialogs->errors.size()), errorsBefore + 1);
        QVERIFY2(m_dialogs->errors.last().contains("ragged.csv: row 2"), qPrintable(m_dialogs->errors.last()));
        QTRY_COMPARE(dataset->findData(ragged), -1);
        QCOMPARE(dataset->currentData().toString(), c().session().config.dataset.name);
        QTRY_VERIFY2(!w().controls()->progressText().startsWith("Loading"),
                     qPrintable(w().controls()->progressText()));
    }

    // Export follows the usual convention, Ctrl+Shift+E; nothing exports on Ctrl+Shift+O,
    // which reads as a variant of Open (issue 10, item 9).
    void exportShortcutsFollowConvention() {
        QAction* latent = nullptr;
        for (QAction* a : m_window->findChildren<QAction*>()) {
            QVERIFY2(a->shortcut() != QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), qPrintable(a->text()));
            if (a->text().contains("latent plane")) latent = a;
        }
        QVERIFY(latent);
        QCOMPARE(latent->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    }

    // Help > About names the multiply this process trains with, and why (issue 8).
    // View > Colours > Dark: the plots follow the palette (QCustomPlot would stay white);
    // an exported loss plot stays light for paper; the choice is remembered.
    void darkColoursReachThePlots() {
        auto lightness = [](QWidget* wgt, QPoint at) { return QColor(wgt->grab().toImage().pixel(at)).lightness(); };
        QAction* dark = w().findChild<QAction*>("colours-dark");
        QVERIFY(dark);
        QVERIFY(lightness(w().lossPlot(), {3, 3}) > 200);
        dark->trigger();
        QTRY_VERIFY(isDark(w().palette()));
        for (QCustomPlot* p : {static_cast<QCustomPlot*>(w().lossPlot()), static_cast<QCustomPlot*>(&plot())}) {
            p->replot();
            QVERIFY2(lightness(p, {3, 3}) < 80, qPrintable(p->metaObject()->className()));
            QVERIFY(p->xAxis->tickLabelColor().lightness() > 180);
            QVERIFY(p->xAxis->labelColor().lightness() > 180);
            QVERIFY(p->legend->textColor().lightness() > 180);
        }
        // The noisy batch loss stays faint behind the epoch curves.
        QVERIFY(w().lossPlot()->graph(0)->pen().color().alpha() < 128);
        QCOMPARE(QSettings().value("colours").toString(), QString("dark"));
        PointCloudView* cloud = w().decoderView()->cloudView(); // the Swiss roll's decoded points
        QVERIFY(cloud->isVisible());
        QVERIFY(lightness(cloud, {2, cloud->height() - 3}) < 80);
        // The export draws the finished epochs (with none it says so and writes nothing).
        const QString png = m_tmp.filePath("dark-loss.png");
        if (w().lossPlot()->history().empty()) {
            QVERIFY(!w().documents()->exportLossTo(png));
            QVERIFY(!QFile::exists(png));
            c().stepEpoch();
            QTRY_VERIFY_WITH_TIMEOUT(!w().lossPlot()->history().empty(), 30000);
        }
        QVERIFY(w().documents()->exportLossTo(png));
        QImage exported(png);
        QVERIFY(!exported.isNull());
        QVERIFY(QColor(exported.pixel(4, 4)).lightness() > 200);
        QVERIFY(lightness(w().lossPlot(), {3, 3}) < 80); // the window stays dark
        w().findChild<QAction*>("colours-system")->trigger();
        QTRY_VERIFY(!isDark(w().palette()));
        QVERIFY(lightness(w().lossPlot(), {3, 3}) > 200);
    }

    void aboutNamesTheMultiply() {
        QAction* about = nullptr;
        for (QAction* a : m_window->findChildren<QAction*>())
            if (a->text().contains("About")) about = a;
        QVERIFY(about);
        about->trigger();
        QCOMPARE(m_dialogs->notes.size(), 1);
        const QString text = m_dialogs->notes.first();
        QVERIFY2(text.contains(QString::fromStdString(multiplyChoice().label)), qPrintable(text));
        QVERIFY2(text.contains(QString::fromStdString(multiplyChoice().reason).toHtmlEscaped()), qPrintable(text));
        // The version, the libraries with theirs, and the user guide as a link.
        QVERIFY2(text.contains("Latent Lab " + QCoreApplication::applicationVersion()), qPrintable(text));
        for (const QString& library : {QString("Qt ") + qVersion(), QString("QCustomPlot 2."), QString("Eigen 3."),
                                       QString("OpenMP ")})
            QVERIFY2(text.contains(library), qPrintable(library + " not in " + text));
        QVERIFY2(QRegularExpression("<a href=\"file:///[^\"]+/README\\.md#user-guide\">User guide</a>").match(text).hasMatch(),
                 qPrintable(text));
        QVERIFY(m_dialogs->errors.isEmpty());
    }

    // The model panel builds convolutional models: a layer list replaces the widths (and
    // the one activation), the architecture is read out with every shape, and a list that
    // does not fit the images is explained, not applied.
    void panelBuildsConvolutionalModels() {
        data::IdxArray images;
        images.dims = {120, 12, 12};
        for (int i = 0; i < 120 * 144; ++i) images.data.push_back(uint8_t((i * 37 + i / 144 * 11) % 256));
        const QString path = m_tmp.filePath("small-idx3-ubyte");
        data::writeIdx(path.toStdString(), images);
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().panel()->setDatasetFile(path);
        QTRY_COMPARE(session.count(), 1);
        SettingsPanel* panel = w().panel();
        auto* form = qobject_cast<QFormLayout*>(panel->layout());
        QVERIFY(!form->isRowVisible(panel->encoderLayersEdit()));

        panel->layersModeBox()->setCurrentIndex(1);
        emit panel->layersModeBox()->activated(1);
        QTRY_COMPARE(session.count(), 2);
        const ModelConfig& m = c().session().config.model;
        QCOMPARE(QString::fromStdString(specsText(m.encoderLayers)), QString("conv 16 k3 s2 p1 relu; conv 32 k3 s2 p1 relu"));
        QCOMPARE(QString::fromStdString(specsText(m.decoderLayers)),
                 QString("dense 288 relu; reshape 32x3x3; convt 16 k3 s2 p1 op1 relu; convt 1 k3 s2 p1 op1"));
        QVERIFY(form->isRowVisible(panel->encoderLayersEdit()));
        QVERIFY(form->isRowVisible(panel->decoderLayersEdit()));
        QVERIFY2(panel->architectureLabel()->text().startsWith(
                     "1×12×12 → conv 16@3×3/2 pad 1 relu → 16×6×6 → conv 32@3×3/2 pad 1 relu → 32×3×3"),
                 qPrintable(panel->architectureLabel()->text()));

        // A kernel larger than the image: said in the panel, no new model.
        panel->encoderLayersEdit()->setText("conv 4 k13");
        emit panel->encoderLayersEdit()->textEdited("conv 4 k13");
        emit panel->encoderLayersEdit()->editingFinished();
        QVERIFY2(panel->architectureLabel()->text().startsWith("Not a model yet: encoder: layer 1: layer 'conv 4 k13': "
                                                               "kernel 13 is larger than the padded input 1×12×12"),
                 qPrintable(panel->architectureLabel()->text()));
        QTest::qWait(200);
        QCOMPARE(session.count(), 2);
        QVERIFY2(m_dialogs->errors.isEmpty(), qPrintable(m_dialogs->errors.join('\n'))); // nothing was tried
        QCOMPARE(c().session().config.model.encoderLayers.size(), size_t(2));
        // Fixed, it is applied.
        panel->encoderLayersEdit()->setText("conv 8 k3 s2 p1 relu; maxpool 2");
        emit panel->encoderLayersEdit()->textEdited("conv 8 k3 s2 p1 relu; maxpool 2");
        emit panel->encoderLayersEdit()->editingFinished();
        QTRY_COMPARE(session.count(), 3);
        QCOMPARE(QString::fromStdString(specsText(c().session().config.model.encoderLayers)),
                 QString("conv 8 k3 s2 p1 relu; maxpool 2"));
        // The layer editor: a layer added there becomes the model once accepted.
        auto* editEncoder = panel->findChild<QPushButton*>("editEncoderLayers");
        QVERIFY(editEncoder && editEncoder->isVisibleTo(panel));
        bool edited = false;
        QTimer::singleShot(0, this, [&edited] {
            auto* dialog = qobject_cast<LayerListDialog*>(QApplication::activeModalWidget());
            if (!dialog) return;
            QCOMPARE(dialog->list()->count(), 2); // what the panel holds
            dialog->list()->setCurrentRow(1);
            dialog->addLayer("conv");
            edited = dialog->fits();
            dialog->okButton()->click();
        });
        editEncoder->click();
        QVERIFY(edited);
        QTRY_COMPARE(session.count(), 4);
        QCOMPARE(QString::fromStdString(specsText(c().session().config.model.encoderLayers)),
                 QString("conv 8 k3 s2 p1 relu; maxpool 2; conv 16 k3 p1 relu"));
        QCOMPARE(panel->encoderLayersEdit()->text(), QString("conv 8 k3 s2 p1 relu; maxpool 2; conv 16 k3 p1 relu"));
        // Cancelled, nothing changes.
        QTimer::singleShot(0, this, [] {
            if (auto* dialog = qobject_cast<LayerListDialog*>(QApplication::activeModalWidget())) {
                dialog->removeSelected();
                dialog->reject();
            }
        });
        editEncoder->click();
        QTest::qWait(200);
        QCOMPARE(session.count(), 4);
        QCOMPARE(c().session().config.model.encoderLayers.size(), size_t(3));
        // Back to widths.
        panel->layersModeBox()->setCurrentIndex(0);
        emit panel->layersModeBox()->activated(0);
        QTRY_COMPARE(session.count(), 5);
        QVERIFY(!c().session().config.model.layered());
        QVERIFY(!form->isRowVisible(panel->encoderLayersEdit()));
    }

    // The default preset's geometry term is in the panel (its neighbours shown while the
    // weight is on) and in the loss plot as a training curve of its own; switched off, the
    // new model has none of either.
    void geometryTermInPanelAndLossPlot() {
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().applyConfig(app::loadPreset("swissroll-grae")); // what make run opens
        QTRY_COMPARE_WITH_TIMEOUT(session.count(), 1, 30000);
        QTRY_VERIFY(ready());
        SettingsPanel* panel = w().panel();
        auto* form = qobject_cast<QFormLayout*>(panel->layout());
        auto hasCurve = [this](const QString& name) {
            for (int g = 0; g < w().lossPlot()->graphCount(); ++g)
                if (w().lossPlot()->graph(g)->name() == name) return true;
            return false;
        };
        QCOMPARE(panel->geometryBox()->value(), 0.1);
        QCOMPARE(panel->neighboursBox()->value(), 10);
        QVERIFY(form->isRowVisible(panel->neighboursBox()));
        QVERIFY(hasCurve("train geometry penalty"));
        QVERIFY(hasCurve("train reconstruction"));

        panel->neighboursBox()->setValue(12);
        QTRY_COMPARE_WITH_TIMEOUT(session.count(), 2, 30000);
        QCOMPARE(c().session().config.model.geometryNeighbours, 12);
        panel->geometryBox()->setValue(0);
        QTRY_COMPARE_WITH_TIMEOUT(session.count(), 3, 30000);
        QCOMPARE(c().session().config.model.geometry, 0.0);
        QVERIFY(!form->isRowVisible(panel->neighboursBox()));
        QVERIFY(!hasCurve("train geometry penalty"));
        QCOMPARE(panel->geometryBox()->text(), QString("off"));
    }

    // The decoded manifold: an autoencoder's grid over the middle of its codes, its extent
    // drawn on the plane; a VAE's at the prior's quantiles, its middle cell the decoded
    // origin; a newer request replaces an older one.
    void manifoldFollowsTheModel() {
        ManifoldView* m = w().manifoldView();
        QTRY_VERIFY(m->shownValues().cols() > 0 && !m->busy());
        QCOMPARE(m->shownValues().cols(), Index(12 * 12));
        QCOMPARE(m->shownValues().rows(), Index(3));
        QVERIFY(!m->shownSpec().gaussian);
        const LatentGridSpec a = m->shownSpec();
        QVERIFY(a.xMin < a.xMax && a.yMin < a.yMax);
        const QRectF extent = plot().gridExtent();
        QVERIFY(std::abs(extent.left() - gridCoordinate(a, 0, a.xMin, a.xMax)) < 1e-9);
        QVERIFY(std::abs(extent.right() - gridCoordinate(a, 11, a.xMin, a.xMax)) < 1e-9);
        QVERIFY(std::abs(extent.bottom() - gridCoordinate(a, 11, a.yMin, a.yMax)) < 1e-9);
        // Two requests in a row: the newer one is what shows.
        m->stepsBox()->setValue(7);
        m->stepsBox()->setValue(5);
        QTRY_VERIFY(!m->busy() && m->shownSpec().steps == 5);
        QCOMPARE(m->shownValues().cols(), Index(25));

        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().panel()->kindBox()->setCurrentIndex(1); // VAE
        QTRY_COMPARE(session.count(), 1);
        QTRY_VERIFY(m->shownSpec().gaussian && !m->busy() && m->shownValues().cols() == 25);
        const SnapshotPtr s = c().latest();
        QVERIFY(s && s->decoder);
        const Vector origin = decodeToData(*s->decoder, Vector::Zero(2));
        for (Index f = 0; f < 3; ++f) QVERIFY(std::abs(m->shownValues()(f, 12) - origin[f]) < 1e-5);
        QVERIFY(std::abs(plot().gridExtent().left() - normalQuantile(0.1)) < 1e-6);
        m->spreadBox()->setValue(2);
        QTRY_VERIFY(!m->busy() && m->shownSpec().spread == 2.0);
        QVERIFY(std::abs(plot().gridExtent().left() - 2 * normalQuantile(0.1)) < 1e-6);
    }

    // The manifold and interpolation tabs send their overlay with every result. The plane
    // is redrawn when an overlay changes, not when the same one comes again.
    void planeReplotsOnlyForAChangedOverlay() {
        LatentPlot p;
        QSignalSpy replots(&p, &QCustomPlot::afterReplot);
        auto replotsAfter = [&](auto change) {
            QCoreApplication::processEvents(); // a replot still queued from before
            replots.clear();
            change();
            QCoreApplication::processEvents();
            return replots.count();
        };
        const QRectF grid(QPointF(-1.5, -1.5), QPointF(1.5, 1.5));
        QCOMPARE(replotsAfter([&] { p.setGridExtent(grid); }), 1);
        QCOMPARE(replotsAfter([&] { p.setGridExtent(grid); }), 0);
        QCOMPARE(replotsAfter([&] { p.setGridExtent(grid.adjusted(0, 0, 0.5, 0)); }), 1);
        QCOMPARE(p.gridExtent(), grid.adjusted(0, 0, 0.5, 0));
        QCOMPARE(replotsAfter([&] { p.setGridExtent(QRectF()); }), 1);
        const QPolygonF path{QPointF(0, 0), QPointF(1, 2)};
        QCOMPARE(replotsAfter([&] { p.setPath(path); }), 1);
        QCOMPARE(replotsAfter([&] { p.setPath(path); }), 0);
        QCOMPARE(replotsAfter([&] { p.setPath({QPointF(0, 0), QPointF(1, 2.5)}); }), 1);
        QCOMPARE(p.path().last(), QPointF(1, 2.5));
        QCOMPARE(replotsAfter([&] { p.setPath({}); }), 1);
        QCOMPARE(replotsAfter([&] { p.setPath({}); }), 0);
    }

    // The point view draws its background cloud once for a turn and size: new points on top
    // (a model's reconstructions, several a second while training) only blit it; a turn,
    // a resize or new data draw it again, and the picture follows.
    void pointCloudDrawsItsCloudOncePerTurn() {
        data::GeneratorOptions o;
        o.samples = 600;
        const data::Dataset roll = data::makeSwissRoll(o);
        o.seed = 2;
        const data::Dataset other = data::makeSwissRoll(o);
        auto turn = [](PointCloudView& v) {
            QTest::mousePress(&v, Qt::LeftButton, {}, QPoint(100, 100));
            QMouseEvent move(QEvent::MouseMove, QPointF(160, 100), v.mapToGlobal(QPointF(160, 100)), Qt::NoButton,
                             Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&v, &move);
        };
        // What a view that never drew before shows.
        auto fresh = [&](const data::Dataset& d, bool turned) {
            PointCloudView f;
            f.resize(320, 260);
            f.setDataset(&d);
            if (turned) turn(f);
            return f.grab().toImage();
        };
        PointCloudView v;
        v.resize(320, 260);
        v.setDataset(&roll);
        const QImage first = v.grab().toImage();
        QCOMPARE(v.cloudRenders(), 1);
        QCOMPARE(first, fresh(roll, false));
        Matrix from = Matrix::Zero(3, 2), to = Matrix::Ones(3, 2);
        v.setPairs(from, to);
        const QImage withPairs = v.grab().toImage();
        v.setPairs(from, 2 * to);
        v.grab();
        QCOMPARE(v.cloudRenders(), 1);
        QVERIFY(withPairs != first); // the segments are drawn over it
        v.setPairs(Matrix(), Matrix());
        QCOMPARE(v.grab().toImage(), first);
        turn(v);
        const QImage turned = v.grab().toImage();
        QCOMPARE(v.cloudRenders(), 2);
        QVERIFY(turned != first);
        QCOMPARE(turned, fresh(roll, true));
        v.setDataset(&other);
        QCOMPARE(v.grab().toImage(), fresh(other, true)); // new data, seen from the same turn
        QCOMPARE(v.cloudRenders(), 3);
        v.resize(300, 260);
        v.grab();
        QCOMPARE(v.cloudRenders(), 4);
    }

    // Interpolation: the decoded path between two samples' codes, drawn on the plane while
    // its tab shows; straight for an autoencoder, spherical for a VAE.
    void interpolationDecodesThePathBetweenTwoSamples() {
        InterpolationView* v = w().interpolationView();
        QVERIFY(plot().path().isEmpty());
        w().findChild<QDockWidget*>("interpolationDock")->raise();
        QTRY_VERIFY(v->shownValues().cols() == 10);
        v->fromBox()->setValue(3);
        v->toBox()->setValue(17);
        const SnapshotPtr s = c().latest();
        QVERIFY(s && s->decoder);
        const data::Dataset& d = *c().session().dataset;
        auto codeOf = [&](Index row) {
            Matrix x, z;
            gatherBatch(app::viewOf(d), s->decoder->normalizer(), &row, 1, x);
            s->decoder->encode(x, z);
            return Vector(z.col(0));
        };
        const Matrix expected = interpolateCodes(codeOf(3), codeOf(17), 10, false);
        QTRY_VERIFY(v->shownCodes().isApprox(expected));
        QVERIFY(v->shownValues().isApprox(decodeColumns(*s->decoder, expected)));
        const QPolygonF path = plot().path();
        QCOMPARE(path.size(), 10);
        QVERIFY(std::abs(path.first().x() - expected(0, 0)) < 1e-5 && std::abs(path.last().y() - expected(1, 9)) < 1e-5);
        // Two points of the plane as the ends: the decoder's last point with Start here,
        // another with End here; choosing a sample again makes that end a sample.
        w().decodeAt(1.5, -0.5);
        const Vector pointA = w().decoderView()->lastCode();
        v->startHereButton()->click();
        w().decodeAt(-2.0, 1.0);
        const Vector pointB = w().decoderView()->lastCode();
        v->endHereButton()->click();
        QVERIFY(v->shownCodes().isApprox(interpolateCodes(pointA, pointB, 10, false)));
        QVERIFY(std::abs(v->shownCodes()(0, 0) - 1.5) < 1e-6 && std::abs(v->shownCodes()(1, 9) - 1.0) < 1e-6);
        QVERIFY2(v->caption().startsWith("point (1.50, -0.50) → point (-2.00, 1.00)"), qPrintable(v->caption()));
        QCOMPARE(plot().path().first(), QPointF(1.5, -0.5));
        v->fromBox()->setValue(5);
        QVERIFY(!v->startPoint() && v->endPoint());
        QVERIFY(v->shownCodes().isApprox(interpolateCodes(codeOf(5), pointB, 10, false)));
        QVERIFY2(v->caption().startsWith("sample 5 → point"), qPrintable(v->caption()));
        v->toBox()->setValue(17);
        v->stepsBox()->setValue(4);
        QCOMPARE(v->shownValues().cols(), Index(4));
        // Another tab: the path goes with it.
        w().findChild<QDockWidget*>("galleryDock")->raise();
        QTRY_VERIFY(plot().path().isEmpty());

        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().panel()->kindBox()->setCurrentIndex(1); // VAE
        QTRY_COMPARE_WITH_TIMEOUT(session.count(), 1, 30000);
        QTRY_VERIFY(ready());
        QVERIFY(v->sphericalBox()->isChecked() && v->sphericalBox()->isEnabled());
        w().findChild<QDockWidget*>("interpolationDock")->raise();
        QTRY_VERIFY(v->shownValues().cols() == 4 && c().latest() && c().latest()->decoder); // the steps stay
        const SnapshotPtr vae = c().latest();
        QTRY_VERIFY(v->shownCodes().isApprox(interpolateCodes(
            [&] {
                Matrix x, z;
                const Index row = 0;
                gatherBatch(app::viewOf(d), vae->decoder->normalizer(), &row, 1, x);
                vae->decoder->encode(x, z);
                return Vector(z.col(0));
            }(),
            v->shownCodes().col(3), 4, true)));
        QVERIFY(!v->shownCodes().isApprox(interpolateCodes(v->shownCodes().col(0), v->shownCodes().col(3), 4, false)));
    }

    // The objective as a formula with each term's value, for each kind of model, and in the
    // window after an epoch.
    void objectiveShowsEachTermsValue() {
        ModelConfig m;
        m.loss = ReconstructionLoss::Mse;
        QCOMPARE(LossPlot::objectiveText(m, nullptr), QString("Objective: MSE reconstruction"));
        EpochReport r;
        r.epoch = 3;
        r.beta = 0.5;
        r.train.reconstruction = 150;
        r.train.kl = 8;
        r.train.penalty = 0;
        r.train.total = 154;
        m.kind = ModelKind::Vae;
        m.loss = ReconstructionLoss::Bce;
        QCOMPARE(LossPlot::objectiveText(m, &r),
                 QString("Objective: BCE reconstruction + β · KL = 150 + 0.5 × 8 = 154  (epoch 3, training mean per sample)"));
        m.kind = ModelKind::Autoencoder;
        m.loss = ReconstructionLoss::Mse;
        m.geometry = 0.1;
        r.train.reconstruction = 0.25;
        r.train.penalty = 0.125;
        r.train.total = 0.375;
        QCOMPARE(LossPlot::objectiveText(m, &r),
                 QString("Objective: MSE reconstruction + geometry penalty (λ 0.1) = 0.25 + 0.125 = 0.375  (epoch 3, "
                         "training mean per sample)"));

        // The window: the formula at once, the values after an epoch, the last epoch's.
        QVERIFY2(w().objectiveLabel()->text() == "Objective: MSE reconstruction", qPrintable(w().objectiveLabel()->text()));
        QSignalSpy epochs(&c(), &TrainingController::epochCompleted);
        c().stepEpoch();
        QTRY_COMPARE_WITH_TIMEOUT(epochs.count(), 1, 30000);
        const EpochReport last = epochs.first().first().value<EpochReport>();
        QTRY_VERIFY(w().objectiveLabel()->text().endsWith(QString("= %1  (epoch 1, training mean per sample)")
                                                             .arg(QString::number(last.train.total, 'g', 4))));
    }

    // PCA beside the model: the plane and the figures are eval's for the latest model.
    void pcaViewShowsEvalsFigures() {
        PcaView* v = w().pcaView();
        // A smaller roll: trustworthiness costs n^2, here computed three times over.
        QVERIFY(smallRoll("swissroll-ae"));
        // Hidden: nothing computed, and nothing under way (a start would have set busy at once).
        QVERIFY(!v->shownFigures() && !v->busy());
        w().findChild<QDockWidget*>("pcaDock")->raise();
        // Snapshots may bring newer models at any time; the figures shown are those of the
        // model shown, both set together on this thread.
        QTRY_VERIFY_WITH_TIMEOUT(v->shownFigures() && v->shownModel() && !v->busy(), 30000);
        const std::shared_ptr<const Model> first = v->shownModel();
        const app::EvaluationResult shown = *v->shownFigures();
        const data::Dataset& d = *c().session().dataset;
        const app::EvaluationResult expected = app::evaluate(*first, d);
        QCOMPARE(shown.model.msePerFeature, expected.model.msePerFeature);
        QCOMPARE(shown.pca.msePerFeature, expected.pca.msePerFeature);
        QCOMPARE(*shown.model.trustworthiness, *expected.model.trustworthiness);
        QCOMPARE(*shown.pca.labelR2, *expected.pca.labelR2);
        QVERIFY(v->shownPlane().isApprox(app::pcaPlane(*first, d)));
        const QString table = v->table(); // shown with those figures: nothing ran in between
        QVERIFY2(table.contains(QString::number(*expected.pca.trustworthiness, 'f', 3)) &&
                     table.contains(QString::number(*expected.model.labelR2, 'f', 3)) && table.contains("roll parameter t"),
                 qPrintable(table));
        // A new model is evaluated again.
        c().stepEpoch();
        QTRY_VERIFY_WITH_TIMEOUT(!v->busy() && v->shownModel() && v->shownModel() != first, 30000);
        const std::shared_ptr<const Model> later = v->shownModel();
        const app::EvaluationResult laterShown = *v->shownFigures();
        QCOMPARE(laterShown.model.msePerFeature, app::evaluate(*later, d).model.msePerFeature);
    }

    // While training, PCA works on an evenly spaced subset and says so; paused, on every
    // sample, for the model shown.
    void pcaViewPreviewsWhileTraining() {
        PcaView* v = w().pcaView();
        v->setPreviewLimits(1100, 30);
        app::RunConfig config = app::loadPreset("swissroll-ae");
        config.dataset.generator.samples = 2500;
        config.training.epochs = 100000; // still training when the preview shows
        const int before = c().session().session;
        w().applyConfig(config);
        QTRY_VERIFY_WITH_TIMEOUT(c().hasSession() && c().session().session > before && ready(), 30000);
        const std::shared_ptr<const data::Dataset> full = c().session().dataset;
        w().findChild<QDockWidget*>("pcaDock")->raise();
        QTRY_VERIFY_WITH_TIMEOUT(v->shownFigures() && !v->busy(), 30000);
        QCOMPARE(v->shownData(), full); // not training: everything
        QCOMPARE(v->shownPlane().cols(), Index(full->rows));
        QVERIFY(!v->table().contains("preview"));

        c().train();
        QTRY_VERIFY_WITH_TIMEOUT(c().state() == RunState::Running && v->shownData() != full, 30000);
        const std::shared_ptr<const data::Dataset> subset = v->shownData();
        QCOMPARE(subset->rows, 1100 + std::min<int64_t>(30, full->testRows()));
        QCOMPARE(v->shownFigures()->trustSamples, Index(1000)); // the preview's limit, not all 1,130
        QCOMPARE(v->shownPlane().cols(), Index(subset->rows));
        QCOMPARE(v->shownFigures()->model.msePerFeature, app::evaluate(*v->shownModel(), *subset).model.msePerFeature);
        QVERIFY2(v->table().contains(QString("a preview on %1 of the 2,500 samples").arg(QLocale().toString(qlonglong(subset->rows)))),
                 qPrintable(v->table()));

        c().pause();
        QTRY_VERIFY_WITH_TIMEOUT(c().state() != RunState::Running && !v->busy() && v->shownData() == full &&
                                     v->shownModel() == c().latest()->decoder,
                                 30000);
        QCOMPARE(v->shownFigures()->model.msePerFeature, app::evaluate(*v->shownModel(), *full).model.msePerFeature);
        QCOMPARE(v->shownPlane().cols(), Index(full->rows));
        QCOMPARE(v->shownFigures()->trustSamples, Index(full->rows));
        QVERIFY(!v->table().contains("preview"));

        // A pause that brings no newer model (no step since the last): the same one again.
        // The window's share and snapshots by hand, in the order the window sees them.
        PcaView alone;
        alone.setPreviewLimits(1100, 30);
        alone.setSession(c().session());
        alone.setActive(true);
        const std::shared_ptr<const Model> model = c().latest()->decoder;
        TrainingShare share;
        TrainingSnapshot s;
        s.state = RunState::Running;
        alone.snapshotArrived(s);
        alone.setModel(model);
        QTRY_VERIFY_WITH_TIMEOUT(!alone.busy() && alone.shownData() && alone.shownData()->rows == subset->rows, 30000);
        share.stop();
        s.state = RunState::Paused;
        s.decoder = model;
        alone.snapshotArrived(s);
        QTRY_VERIFY_WITH_TIMEOUT(!alone.busy() && alone.shownData() == full, 30000);
        QCOMPARE(alone.shownModel(), model);

        // Asked for before training while hidden, shown once training runs: the preview,
        // not every sample at training's priority.
        PcaView hidden;
        hidden.setPreviewLimits(1100, 30);
        hidden.setSession(c().session());
        hidden.setModel(model); // waits, the tab is hidden
        share.start();
        hidden.setActive(true);
        QTRY_VERIFY_WITH_TIMEOUT(!hidden.busy() && hidden.shownData(), 30000);
        QCOMPARE(hidden.shownData()->rows, subset->rows);
        share.stop();

        // Asked for while the last snapshot said "not training", started once training had
        // begun (the share dropped before the first snapshot of the run arrived): the preview.
        PcaView early;
        early.setPreviewLimits(1100, 30);
        early.setSession(c().session());
        early.setActive(true);
        s.state = RunState::Paused;
        early.snapshotArrived(s);
        share.start();
        early.setModel(model);
        QTRY_VERIFY_WITH_TIMEOUT(!early.busy() && early.shownData(), 30000);
        QCOMPARE(early.shownData()->rows, subset->rows);
        QCOMPARE(early.shownFigures()->trustSamples, Index(1000));

        // Training stops while a request waits for the share's pause: the window lifts the
        // share before the last snapshot arrives, which starts that request at once. It was
        // asked for while training: the preview. The snapshot then asks for every sample,
        // evaluated once (not twice, the waiting request included).
        PcaView stopping;
        stopping.setPreviewLimits(1100, 30);
        stopping.setSession(c().session());
        stopping.setActive(true);
        std::vector<Index> shownRows;
        QObject::connect(&stopping, &PcaView::evaluated, &stopping,
                         [&] { shownRows.push_back(stopping.shownData() ? stopping.shownData()->rows : -1); });
        share.start();
        s.state = RunState::Running;
        s.decoder = nullptr;
        stopping.snapshotArrived(s);
        stopping.setModel(model);
        QTRY_VERIFY_WITH_TIMEOUT(shownRows.size() == 1, 30000);
        stopping.setModel(model); // waits for the share's pause after the first work
        QVERIFY(stopping.busy() && shownRows.size() == 1);
        share.stop();
        s.state = RunState::Paused;
        s.decoder = model;
        stopping.snapshotArrived(s);
        QTRY_VERIFY_WITH_TIMEOUT(!stopping.busy() && shownRows.size() == 3, 30000);
        QCOMPARE(shownRows, (std::vector<Index>{subset->rows, subset->rows, full->rows}));
    }

    // Metrics: hidden it measures nothing; shown, one row per completed epoch with the
    // figures app::measureEpoch gives for that model (the CLI's `train --metrics`), a VAE's
    // ELBO and active units among them, and no ELBO column for an autoencoder.
    // The clone published in an epoch's last batch still counts the epochs before it ended;
    // the pause at the epoch's end brings the same model with the new count. The metrics
    // must measure it for that epoch (they waited for a newer model that never came).
    void metricsMeasureAModelAgainAtItsEpochsEnd() {
        MetricsView* v = w().metricsView();
        QVERIFY(smallRoll("swissroll-vae"));
        w().findChild<QDockWidget*>("metricsDock")->raise();
        QTRY_VERIFY_WITH_TIMEOUT(v->rows().size() == 1 && !v->busy(), 30000);
        std::shared_ptr<Model> trained = c().latest()->decoder->clone();
        for (const Parameter& p : trained->parameters())
            for (Index i = 0; i < p.size; ++i) p.value[i] *= 0.9f;
        const std::shared_ptr<const Model> model(std::move(trained));
        auto emitSnapshot = [&](RunState state, int epoch) {
            auto snap = std::make_shared<TrainingSnapshot>(*c().latest());
            snap->state = state;
            snap->decoder = model;
            snap->progress.epoch = epoch;
            snap->progress.batch = 0;
            snap->codes = nullptr;
            snap->batches.clear();
            snap->epochs.clear();
            snap->changes.clear();
            emit c().snapshotArrived(snap);
        };
        emitSnapshot(RunState::Running, 0); // the last batch's clone: still epoch 0
        QTRY_VERIFY(!v->busy());
        QCOMPARE(v->rows().size(), size_t(1));
        emitSnapshot(RunState::Paused, 1); // the epoch's end: the same clone
        QTRY_VERIFY(v->rows().size() == 2 && !v->busy());
        QCOMPARE(v->rows().back().epoch, 1.0);
        const auto probe = app::makeMetricsProbe(c().session().dataset, model->normalizer());
        QCOMPARE(v->rows().back().msePerFeature, app::measureEpoch(*model, *probe, 1, v->rows().back().steps).msePerFeature);
        emitSnapshot(RunState::Paused, 1); // again: no second row for it
        QTest::qWait(100);
        QTRY_VERIFY(!v->busy());
        QCOMPARE(v->rows().size(), size_t(2));
    }

    void metricsViewFollowsTheEpochs() {
        MetricsView* v = w().metricsView();
        QVERIFY(smallRoll("swissroll-vae"));
        QVERIFY(v->rows().empty() && !v->busy());
        w().findChild<QDockWidget*>("metricsDock")->raise();
        QTRY_VERIFY_WITH_TIMEOUT(v->rows().size() == 1 && !v->busy(), 30000);
        QCOMPARE(v->rows().front().epoch, 0.0); // the untrained model
        // Models within the same epoch get no row of their own.
        const std::shared_ptr<const Model> untrained = c().latest()->decoder;
        c().stepBatch();
        QTRY_VERIFY(c().latest()->decoder != untrained && c().state() != RunState::Running);
        QTest::qWait(100);
        QTRY_VERIFY(!v->busy());
        QCOMPARE(v->rows().size(), size_t(1));
        for (int e = 1; e <= 2; ++e) {
            c().stepEpoch();
            QTRY_VERIFY_WITH_TIMEOUT(c().state() != RunState::Running && !v->busy() && !v->rows().empty() &&
                                         v->rows().back().epoch >= e,
                                     30000);
        }
        // Stepped epoch by epoch, each ends paused at its end: one row each, in order.
        QCOMPARE(v->rows().size(), size_t(3));
        QCOMPARE(v->rows()[1].epoch, 1.0);
        QCOMPARE(v->rows()[2].epoch, 2.0);
        const app::EpochMetrics& last = v->rows().back();
        const std::shared_ptr<const Model> model = c().latest()->decoder;
        const auto probe = app::makeMetricsProbe(c().session().dataset, model->normalizer());
        const app::EpochMetrics expected = app::measureEpoch(*model, *probe, 2, last.steps);
        QCOMPARE(last.msePerFeature, expected.msePerFeature);
        QCOMPARE(*last.elbo, *expected.elbo);
        QCOMPARE(*last.trustworthiness, *expected.trustworthiness);
        QCOMPARE(*last.activeUnits, *expected.activeUnits);
        QTableWidget* table = v->table();
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->item(0, 0)->text(), QString("2")); // newest first
        QCOMPARE(table->item(0, 2)->text(), QString::number(*expected.elbo, 'f', 2));
        QVERIFY(!table->isColumnHidden(2) && !table->isColumnHidden(6));
        QVERIFY(table->isColumnHidden(3)); // no classes: no k-NN

        QVERIFY(smallRoll("swissroll-ae"));
        QTRY_VERIFY_WITH_TIMEOUT(v->rows().size() == 1 && !v->busy(), 30000);
        QVERIFY(!v->rows().front().elbo);
        QVERIFY(table->isColumnHidden(2) && table->isColumnHidden(6));
    }

    // A tab floated out of the dock area is a view shown: it computes (and a hidden one not).
    void aFloatedTabComputes() {
        MetricsView* v = w().metricsView();
        QVERIFY(smallRoll("swissroll-ae"));
        w().findChild<QDockWidget*>("galleryDock")->raise();
        QTest::qWait(50);
        QDockWidget* dock = w().findChild<QDockWidget*>("metricsDock");
        QVERIFY(v->rows().empty());
        dock->setFloating(true);
        dock->show();
        QTRY_VERIFY_WITH_TIMEOUT(dock->isVisible() && v->rows().size() == 1, 30000);
        // Docked again behind another tab: hidden, it waits.
        dock->setFloating(false);
        w().findChild<QDockWidget*>("galleryDock")->raise();
        c().stepEpoch();
        QTRY_VERIFY_WITH_TIMEOUT(c().state() != RunState::Running && c().latest()->progress.epoch == 1, 30000);
        QTest::qWait(100);
        QCOMPARE(v->rows().size(), size_t(1));
        QVERIFY(!v->busy());
        dock->raise();
        QTRY_VERIFY_WITH_TIMEOUT(v->rows().size() == 2, 30000);
        w().findChild<QDockWidget*>("galleryDock")->raise();
    }

    // Anomalies: a class left out of training in the panel, the view scoring each new model
    // (only while it shows) with the figures the CLI prints, the slider moving the threshold
    // over the quantiles of the normal training errors.
    void anomalyViewScoresTheLeftOutClass() {
        AnomalyView* a = w().anomalyView();
        QVERIFY(!a->classBox()->isEnabled()); // the Swiss roll has no classes
        QVERIFY2(a->verdict().contains("needs class labels"), qPrintable(a->verdict()));

        const app::RunConfig config = blobsLeavingOut(2, 8);
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().applyConfig(config);
        QTRY_COMPARE_WITH_TIMEOUT(session.count(), 1, 30000);
        QCOMPARE(w().panel()->holdOutBox()->value(), 2);
        QCOMPARE(w().panel()->config().dataset.holdOutClass, 2);
        QVERIFY(a->classBox()->isEnabled());
        QCOMPARE(a->classBox()->currentData().toInt(), 2);
        QVERIFY(a->classBox()->currentText().contains("left out of training"));
        // The training part holds no sample of class 2.
        const data::Dataset& d = *c().session().dataset;
        for (int64_t r = 0; r < d.trainRows; ++r) QVERIFY(std::lround(d.labels[size_t(r)]) != 2);

        // Hidden, it does no work; shown, it scores the latest model.
        w().findChild<QDockWidget*>("anomalyDock")->raise();
        c().train();
        QTRY_VERIFY_WITH_TIMEOUT(c().state() == RunState::Finished, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(a->shownReport() && !a->busy(), 30000);
        QTRY_VERIFY(!a->busy() && a->shownReport()->testScores.size() == size_t(d.testRows()));
        const SnapshotPtr s = c().latest();
        QVERIFY(s && s->decoder);
        const app::AnomalyReport expected = app::anomalyReport(*s->decoder, d, 2, true);
        QTRY_COMPARE(a->shownReport()->roc.auc, expected.roc.auc); // the last model's, as eval gives it
        QCOMPARE(a->shownReport()->threshold, expected.threshold);
        const Confusion at95 = expected.confusion(quantile(expected.trainingScores, 0.95));
        QVERIFY2(a->verdict().contains(QString("precision %1, recall %2").arg(at95.precision(), 0, 'f', 3)
                                           .arg(at95.recall(), 0, 'f', 3)),
                 qPrintable(a->verdict()));
        a->thresholdSlider()->setValue(600);
        QCOMPARE(a->threshold(), quantile(expected.trainingScores, 0.6));
        const Confusion at60 = expected.confusion(a->threshold());
        QVERIFY2(a->verdict().contains(QString("%1 flagged, precision %2, recall %3")
                                           .arg(at60.truePositives + at60.falsePositives)
                                           .arg(at60.precision(), 0, 'f', 3)
                                           .arg(at60.recall(), 0, 'f', 3)),
                 qPrintable(a->verdict()));

        // Another class as the anomaly: scored again, said to be one the model saw.
        a->classBox()->setCurrentIndex(a->classBox()->findData(0));
        emit a->classBox()->activated(a->classBox()->currentIndex());
        QTRY_VERIFY(!a->busy() && a->shownReport() && a->shownReport()->anomalyClass == 0);
        QVERIFY(!a->shownReport()->leftOutOfTraining);

        // The panel's setting starts a session with another class left out.
        w().panel()->holdOutBox()->setValue(1);
        QTRY_COMPARE_WITH_TIMEOUT(session.count(), 2, 30000);
        QCOMPARE(c().session().config.dataset.holdOutClass, 1);
    }

    // The anomalies while training: scored on the subset (its rows are the subset's), and
    // on every test sample once paused.
    void anomalyViewPreviewsWhileTraining() {
        AnomalyView* a = w().anomalyView();
        a->setPreviewLimits(200, 40);
        const app::RunConfig config = blobsLeavingOut(1, 100000);
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().applyConfig(config);
        QTRY_COMPARE_WITH_TIMEOUT(session.count(), 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(ready(), 30000);
        const std::shared_ptr<const data::Dataset> full = c().session().dataset;
        QVERIFY(full->testRows() > 40);
        w().findChild<QDockWidget*>("anomalyDock")->raise();
        c().train();
        QTRY_VERIFY_WITH_TIMEOUT(c().state() == RunState::Running && a->shownReport() && a->shownData() != full,
                                 30000);
        QCOMPARE(a->shownReport()->testScores.size(), size_t(40));
        QVERIFY2(a->verdict().contains("a preview on"), qPrintable(a->verdict()));
        c().pause();
        QTRY_VERIFY_WITH_TIMEOUT(c().state() != RunState::Running && !a->busy() && a->shownData() == full, 30000);
        QCOMPARE(a->shownReport()->testScores.size(), size_t(full->testRows()));
        const app::AnomalyReport expected = app::anomalyReport(*c().latest()->decoder, *full, 1, true);
        QCOMPARE(a->shownReport()->roc.auc, expected.roc.auc);
        QVERIFY(!a->verdict().contains("preview"));

        // A pause that brings no newer model (no step since the last): the same one again.
        // The window's share and snapshots by hand, in the order the window sees them.
        AnomalyView alone;
        alone.setPreviewLimits(200, 40);
        alone.setSession(c().session());
        alone.setActive(true);
        TrainingShare share;
        TrainingSnapshot s;
        s.state = RunState::Running;
        alone.snapshotArrived(s);
        alone.setModel(c().latest()->decoder);
        QTRY_VERIFY_WITH_TIMEOUT(!alone.busy() && alone.shownData() && alone.shownData() != full, 30000);
        share.stop();
        s.state = RunState::Paused;
        s.decoder = c().latest()->decoder;
        alone.snapshotArrived(s);
        QTRY_VERIFY_WITH_TIMEOUT(!alone.busy() && alone.shownData() == full, 30000);
        QCOMPARE(alone.shownReport()->roc.auc, expected.roc.auc);

        // Asked for before training while hidden, shown once training runs: the preview.
        AnomalyView hidden;
        hidden.setPreviewLimits(200, 40);
        hidden.setSession(c().session());
        hidden.setModel(c().latest()->decoder);
        share.start();
        hidden.setActive(true);
        QTRY_VERIFY_WITH_TIMEOUT(!hidden.busy() && hidden.shownData(), 30000);
        QVERIFY(hidden.shownData() != full);
        QCOMPARE(hidden.shownReport()->testScores.size(), size_t(40));
        share.stop();

        // Asked for while the last snapshot said "not training", started once training had
        // begun (the share dropped before the first snapshot of the run arrived): the preview.
        AnomalyView early;
        early.setPreviewLimits(200, 40);
        early.setSession(c().session());
        early.setActive(true);
        s.state = RunState::Paused;
        early.snapshotArrived(s);
        share.start();
        early.setModel(c().latest()->decoder);
        QTRY_VERIFY_WITH_TIMEOUT(!early.busy() && early.shownData(), 30000);
        QVERIFY(early.shownData() != full);
        QCOMPARE(early.shownReport()->testScores.size(), size_t(40));
    }

    // The layer editor shows the settings of the selected layer's kind only, writes them
    // back into the spec, follows every shape down the list and refuses a list that does
    // not fit.
    void layerEditorShowsEachKindsSettings() {
        ModelConfig m;
        m.kind = ModelKind::Vae;
        m.inputShape = Shape::image(1, 12, 12);
        m.inputDim = 144;
        m.latentDim = 2;
        m.encoderLayers = parseSpecs("conv 8 k3 s2 p1 relu; maxpool 2");
        m.decoderLayers = parseSpecs("dense 72 relu; reshape 8x3x3; upsample 4; conv 1 k3 p1");
        LayerListDialog d(m, LayerListDialog::Side::Encoder);
        QFormLayout* form = d.settingsForm();
        auto label = [form](QWidget* field) { return qobject_cast<QLabel*>(form->labelForField(field))->text(); };
        auto visible = [form](QWidget* field) { return form->isRowVisible(field); };
        QCOMPARE(d.list()->count(), 2);
        QVERIFY2(d.list()->item(0)->text().endsWith("→ 8×6×6"), qPrintable(d.list()->item(0)->text()));
        QVERIFY2(d.list()->item(1)->text().endsWith("→ 8×3×3"), qPrintable(d.list()->item(1)->text()));
        QVERIFY(d.fits() && d.okButton()->isEnabled());

        // A convolution: channels, kernel, stride, padding, activation.
        d.list()->setCurrentRow(0);
        for (QWidget* f : std::initializer_list<QWidget*>{d.unitsBox(), d.kernelBox(), d.strideBox(), d.paddingBox(), d.activationBox()})
            QVERIFY(visible(f));
        for (QWidget* f : std::initializer_list<QWidget*>{d.outputPaddingBox(), d.scaleBox(), d.shapeEdit()}) QVERIFY(!visible(f));
        QCOMPARE(label(d.unitsBox()), QString("&Channels"));
        QCOMPARE(d.unitsBox()->value(), 8);
        QCOMPARE(d.strideBox()->value(), 2);
        d.kernelBox()->setValue(5);
        d.paddingBox()->setValue(2);
        d.unitsBox()->setValue(6);
        QCOMPARE(QString::fromStdString(specsText(d.specs())), QString("conv 6 k5 s2 p2 relu; maxpool 2"));
        QVERIFY2(d.list()->item(0)->text().endsWith("→ 6×6×6"), qPrintable(d.list()->item(0)->text()));

        // A pooling window: window and stride only; its stride follows into the shapes.
        d.list()->setCurrentRow(1);
        QVERIFY(visible(d.kernelBox()) && visible(d.strideBox()));
        for (QWidget* f : std::initializer_list<QWidget*>{d.unitsBox(), d.paddingBox(), d.outputPaddingBox(), d.activationBox()})
            QVERIFY(!visible(f));
        QCOMPARE(label(d.kernelBox()), QString("&Window"));
        d.strideBox()->setValue(1);
        QCOMPARE(QString::fromStdString(d.specs()[1].text()), QString("maxpool 2 s1"));
        QVERIFY2(d.list()->item(1)->text().endsWith("→ 6×5×5"), qPrintable(d.list()->item(1)->text()));

        // Added after the selection; a dense layer has outputs and an activation.
        d.addLayer("dense");
        QCOMPARE(d.list()->currentRow(), 2);
        QCOMPARE(QString::fromStdString(d.specs()[2].text()), QString("dense 64 relu"));
        QVERIFY(visible(d.unitsBox()) && visible(d.activationBox()) && !visible(d.kernelBox()));
        QCOMPARE(label(d.unitsBox()), QString("O&utputs"));
        // Another kind in its place: a flatten has no settings at all.
        d.kindBox()->setCurrentIndex(d.kindBox()->findData("flatten"));
        emit d.kindBox()->activated(d.kindBox()->currentIndex());
        QCOMPARE(QString::fromStdString(d.specs()[2].text()), QString("flatten"));
        for (QWidget* f : std::initializer_list<QWidget*>{d.unitsBox(), d.kernelBox(), d.strideBox(), d.activationBox(), d.shapeEdit()})
            QVERIFY(!visible(f));
        QVERIFY2(d.list()->item(2)->text().endsWith("→ 150"), qPrintable(d.list()->item(2)->text()));
        // A convolution where the dense was: a same-size start.
        d.kindBox()->setCurrentIndex(d.kindBox()->findData("conv"));
        emit d.kindBox()->activated(d.kindBox()->currentIndex());
        QCOMPARE(QString::fromStdString(d.specs()[2].text()), QString("conv 16 k3 p1 relu"));
        // Moved and removed.
        d.moveSelected(-1);
        QCOMPARE(QString::fromStdString(specsText(d.specs())), QString("conv 6 k5 s2 p2 relu; conv 16 k3 p1 relu; maxpool 2 s1"));
        QCOMPARE(d.list()->currentRow(), 1);
        d.removeSelected();
        QCOMPARE(QString::fromStdString(specsText(d.specs())), QString("conv 6 k5 s2 p2 relu; maxpool 2 s1"));
        QVERIFY(d.fits());

        // Too large a kernel: the layer is marked, the verdict says why, OK is off.
        d.list()->setCurrentRow(0);
        d.paddingBox()->setValue(0);
        d.kernelBox()->setValue(13);
        QVERIFY(!d.fits());
        QVERIFY(!d.okButton()->isEnabled());
        QVERIFY2(d.list()->item(0)->text().endsWith("does not fit"), qPrintable(d.list()->item(0)->text()));
        QVERIFY2(d.status()->text().contains("kernel 13 is larger than the padded input 1×12×12"), qPrintable(d.status()->text()));
        d.kernelBox()->setValue(3);
        QVERIFY(d.fits() && d.okButton()->isEnabled());

        // The decoder side starts from the code; a reshape edits its target.
        LayerListDialog dec(m, LayerListDialog::Side::Decoder);
        QVERIFY2(dec.list()->item(0)->text().endsWith("→ 72"), qPrintable(dec.list()->item(0)->text()));
        dec.list()->setCurrentRow(1);
        QVERIFY(dec.settingsForm()->isRowVisible(dec.shapeEdit()) && !dec.settingsForm()->isRowVisible(dec.unitsBox()));
        QCOMPARE(dec.shapeEdit()->text(), QString("8x3x3"));
        dec.shapeEdit()->setText("2x6x6");
        QVERIFY2(dec.list()->item(2)->text().endsWith("→ 2×24×24"), qPrintable(dec.list()->item(2)->text()));
        QVERIFY2(dec.list()->item(3)->text().endsWith("→ 1×24×24"), qPrintable(dec.list()->item(3)->text()));
        QVERIFY(!dec.fits()); // 1×24×24 is not a sample of 1×12×12
        dec.list()->setCurrentRow(2);
        QVERIFY(dec.settingsForm()->isRowVisible(dec.scaleBox()));
        dec.scaleBox()->setValue(2);
        QVERIFY2(dec.fits(), qPrintable(dec.status()->text()));
        QCOMPARE(QString::fromStdString(specsText(dec.specs())), QString("dense 72 relu; reshape 2x6x6; upsample 2; conv 1 k3 p1"));
        // 36 values cannot hold the dense layer's 72; a target that does not read is kept out.
        dec.list()->setCurrentRow(1);
        dec.shapeEdit()->setText("1x6x6");
        QVERIFY(!dec.fits());
        QVERIFY2(dec.list()->item(1)->text().endsWith("does not fit"), qPrintable(dec.list()->item(1)->text()));
        dec.shapeEdit()->setText("2x");
        QCOMPARE(QString::fromStdString(dec.specs()[1].text()), QString("reshape 1x6x6"));

        // A dense first layer reads the image as its 144 values, as the model does.
        m.encoderLayers = parseSpecs("dense 32 relu");
        LayerListDialog dense(m, LayerListDialog::Side::Encoder);
        QVERIFY2(dense.list()->item(0)->text().endsWith("→ 32"), qPrintable(dense.list()->item(0)->text()));
        QVERIFY2(dense.fits(), qPrintable(dense.status()->text()));
    }

    // The Filters view: a convolution's kernels in blue (negative) to red (positive), and
    // the feature maps of the sample last under the mouse, following each new model.
    // Denoising: test images, noisy copies clipped to the pixel range, the model's
    // reconstructions of those, and the PSNR of both; only while its tab shows.
    void denoisingShowsNoisyAndRestoredWithPsnr() {
        auto d = std::make_shared<data::Dataset>();
        d->name = "gradients";
        d->rows = 30;
        d->cols = 16;
        d->trainRows = 20;
        d->imageWidth = d->imageHeight = 4;
        for (int r = 0; r < 30; ++r)
            for (int f = 0; f < 16; ++f) d->bytes.push_back(uint8_t((r * 7 + f * 13) % 256));
        SessionInfo info;
        info.dataset = d;
        ModelConfig c;
        c.inputDim = 16;
        c.encoderWidths = {8};
        c.latentDim = 2;
        std::shared_ptr<Model> model(makeModel(c));
        Rng rng(3);
        model->initialize(rng);
        Normalizer norm;
        norm.set(Normalizer::Kind::GlobalMinMax, Vector::Zero(16), Vector::Constant(16, 1.0f / 255.0f));
        model->normalizer() = norm;

        DenoisingView v;
        v.setSession(info);
        v.setModel(model);
        QVERIFY(!v.shown()); // not showing: nothing computed
        v.setActive(true);
        QVERIFY(v.shown());
        QCOMPARE(v.rows().size(), size_t(8));
        for (Index r : v.rows()) QVERIFY(r >= 20 && r < 30); // test images only
        const Denoised s = *v.shown(); // a copy: the view replaces its own
        QCOMPARE(v.peak(), 255.0);
        QVERIFY(s.noisy.minCoeff() >= 0 && s.noisy.maxCoeff() <= 255); // clipped to the pixel range
        QVERIFY((s.noisy - s.clean).cwiseAbs().maxCoeff() > 10);        // 30 % noise does show
        for (size_t i = 0; i < v.rows().size(); ++i)
            for (Index f = 0; f < 16; ++f) QCOMPARE(s.clean(f, Index(i)), Scalar(d->value(v.rows()[i], f)));
        Matrix x = s.noisy, xhat;
        model->normalizer().apply(x);
        model->reconstruct(x, xhat);
        model->normalizer().invert(xhat);
        QVERIFY(xhat.isApprox(s.restored));
        QCOMPARE(s.noisyPsnr, psnr(s.clean, s.noisy, 255));
        QCOMPARE(s.restoredPsnr, psnr(s.clean, s.restored, 255));
        QVERIFY2(v.psnrText().contains(QString("noisy %1 dB").arg(s.noisyPsnr, 0, 'f', 1)), qPrintable(v.psnrText()));

        v.noiseSlider()->setValue(0);
        QVERIFY(v.shown()->noisy == v.shown()->clean);
        QVERIFY(std::isinf(v.shown()->noisyPsnr));
        v.noiseSlider()->setValue(60);
        QVERIFY(v.shown()->noisyPsnr < s.noisyPsnr); // more noise, lower PSNR
        const std::vector<Index> before = v.rows();
        v.otherSamplesButton()->click();
        QVERIFY(v.rows() != before);

        // Not images: nothing to show, and it says so.
        SessionInfo roll;
        roll.dataset = std::make_shared<data::Dataset>(data::makeSwissRoll({}));
        v.setSession(roll);
        QVERIFY(!v.noiseSlider()->isEnabled());
        QVERIFY(v.psnrText().contains("for images"));
    }

    void filterGridPutsEveryWeightInItsPlace() {
        // Images 3 wide and 2 high (not square: a swapped x and y shows), a dense first
        // layer of 5 units with weights from -1 to 1: every pixel of the grid is checked,
        // each unit's picture at zoom 2 in a 3 x 2 grid of cells with 1-pixel grey gaps.
        data::Dataset d;
        d.rows = 2;
        d.cols = 6;
        d.imageWidth = 3;
        d.imageHeight = 2;
        d.values.assign(size_t(d.rows * d.cols), 0.f);
        ModelConfig c;
        c.inputDim = 6;
        c.latentDim = 2;
        c.encoderLayers = parseSpecs("dense 5");
        c.decoderLayers = parseSpecs("dense 6");
        auto model = std::shared_ptr<Model>(makeModel(c));
        auto& dense = dynamic_cast<Dense&>(const_cast<Layer&>(model->encoderNetwork().layer(0)));
        QCOMPARE(dense.weight().rows(), Index(5));
        auto weight = [](int unit, int pixel) { return float((unit * 7 + pixel * 3) % 9 - 4) / 4.f; };
        for (int u = 0; u < 5; ++u)
            for (int v = 0; v < 6; ++v) dense.weight()(u, v) = weight(u, v);
        QString caption;
        const QImage image = gui::filterImage(*model, d, &caption);
        const int zoom = 2, cellW = 3 * zoom + 1, cellH = 2 * zoom + 1, columns = 3;
        QCOMPARE(image.size(), QSize(columns * cellW - 1, 2 * cellH - 1));
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const int unit = (y / cellH) * columns + x / cellW, cx = x % cellW, cy = y % cellH;
                QColor expected(160, 160, 160); // a gap, or the empty sixth cell
                if (unit < 5 && cx < 3 * zoom && cy < 2 * zoom) {
                    const double t = weight(unit, (cy / zoom) * 3 + cx / zoom); // scale: 1
                    const int fade = int(std::lround(255 * (1 - std::abs(t))));
                    expected = t >= 0 ? QColor(255, fade, fade) : QColor(fade, fade, 255);
                }
                if (QColor(image.pixel(x, y)) != expected)
                    QFAIL(qPrintable(QString("pixel (%1, %2): %3, expected %4")
                                         .arg(x).arg(y).arg(QColor(image.pixel(x, y)).name(), expected.name())));
            }
    }

    void filtersShowTheFirstLayer() {
        data::Dataset d;
        d.name = "squares";
        d.rows = 3;
        d.cols = 36;
        d.imageWidth = d.imageHeight = 6;
        d.values.assign(size_t(d.rows * d.cols), 0.f);
        d.values[size_t(d.cols + 14)] = 1.f; // sample 1: one bright pixel at (2, 2)
        ModelConfig c;
        c.inputDim = 36;
        c.inputShape = Shape::image(1, 6, 6);
        c.latentDim = 2;
        c.encoderLayers = parseSpecs("conv 2 k3 p1 relu");
        c.decoderLayers = parseSpecs("dense 36");
        auto model = std::shared_ptr<Model>(makeModel(c));
        auto& conv = dynamic_cast<ConvolutionBase&>(const_cast<Layer&>(model->encoderNetwork().layer(0)));
        conv.weight().col(0).setConstant(0.5f);  // filter 0: all positive
        conv.weight().col(1).setConstant(-0.5f); // filter 1: all negative
        conv.bias().setZero();

        QString caption;
        const QImage filters = gui::filterImage(*model, d, &caption);
        QCOMPARE(caption, QString("First layer: 2 filters 3×3 (blue < 0 < red, ±0.5)"));
        const int zoom = 16, cell = 3 * zoom + 1; // two filters side by side
        QCOMPARE(filters.size(), QSize(2 * cell - 1, 3 * zoom));
        QCOMPARE(QColor(filters.pixel(zoom, zoom)), QColor(255, 0, 0));
        QCOMPARE(QColor(filters.pixel(cell + zoom, zoom)), QColor(0, 0, 255));

        // Sample 1's maps: filter 0 sees the bright pixel in the 3×3 around (2, 2), filter
        // 1 (after its ReLU) nothing.
        const QImage maps = gui::featureMapImage(*model, d, 1, &caption);
        QVERIFY2(caption.startsWith("Its 2 feature maps (6×6) of sample 1"), qPrintable(caption));
        const int mz = 8, mcell = 6 * mz + 1;
        QCOMPARE(maps.size(), QSize(2 * mcell - 1, 6 * mz));
        QCOMPARE(qGray(maps.pixel(2 * mz + 1, 2 * mz + 1)), 255); // (2, 2): lit
        QCOMPARE(qGray(maps.pixel(5 * mz + 1, 5 * mz + 1)), 0);   // (5, 5): far from it
        QCOMPARE(qGray(maps.pixel(mcell + 2 * mz + 1, 2 * mz + 1)), 0);

        // A dense model on points has no filters to picture, and says so.
        ModelConfig flat;
        flat.inputDim = 3;
        const auto dense = makeModel(flat);
        data::Dataset points;
        points.rows = 2;
        points.cols = 3;
        points.values.assign(6, 0.f);
        QVERIFY(gui::filterImage(*dense, points, &caption).isNull());
        QVERIFY2(caption.contains("no filters to picture"), qPrintable(caption));

        // The view follows the sample under the mouse.
        gui::FiltersView view;
        SessionInfo info;
        info.dataset = std::make_shared<const data::Dataset>(d);
        view.setSession(info);
        view.show();
        view.setModel(model);
        view.setSampleRow(1);
        QVERIFY2(view.featureMaps()->shownCaption().contains("of sample 1"), qPrintable(view.featureMaps()->shownCaption()));
        QCOMPARE(view.filters()->image(), filters);
        view.setSampleRow(2);
        QVERIFY(view.featureMaps()->shownCaption().contains("of sample 2"));

        // While training runs a newer model shows at most once a second (ModelPacer); when
        // training stops, the newest at once.
        std::shared_ptr<Model> newer = model->clone();
        dynamic_cast<ConvolutionBase&>(const_cast<Layer&>(newer->encoderNetwork().layer(0))).weight().col(0).setConstant(-0.5f);
        TrainingSnapshot running;
        running.state = RunState::Running;
        view.snapshotArrived(running);
        view.setModel(newer); // the first model showed just now
        QCOMPARE(view.filters()->image(), filters);
        TrainingSnapshot paused;
        paused.state = RunState::Paused;
        view.snapshotArrived(paused);
        QCOMPARE(QColor(view.filters()->image().pixel(zoom, zoom)), QColor(0, 0, 255));
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
