// The window's documents and failures: models round-trip through files, closing
// mid-training leaves no thread, exports write PNG and PDF, and bad files, unreadable
// data and a non-finite loss give a message, no crash, and keep the session.
#include "GuiFixture.h"
#include "ModelExport.h"
#include "PyTorchExport.h"

#include <QRegularExpression>
#include "views/output/ImageView.h"
#include "views/plots/PainterView.h"
#include "PlotRenderer.h"
#include "TrainedModel.h"
#include "RunFiles.h"
#include "training/Recovery.h"

#include <QCheckBox>
#include <QLockFile>
#include <QDockWidget>
#include <QStatusBar>
#include <QXmlStreamReader>

using namespace guitest;

class TestDocuments : public guitest::WindowTest {
    Q_OBJECT

private slots:
    void initTestCase() { setUpApplication("tst_documents"); }
    void init() { openWindow(); }
    void cleanup() { closeWindow(); }

    void saveThenOpenGivesSameCodes() {
        w().panel()->learningRateBox()->setValue(0.003); // marked on the loss plot
        trainEpochs(2);
        pauseAndSettle();
        QCOMPARE(w().lossPlot()->markCount(), 1);
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
        QCOMPARE(w().lossPlot()->markCount(), 1);        // and the change's mark
        // Saved again, the mark is kept once, not twice.
        QVERIFY(w().documents()->saveTo(path));
        w().documents()->openPath(path);
        QTRY_COMPARE(session.count(), 2);
        QTRY_VERIFY(c().latest() && c().latest()->codesComplete);
        QCOMPARE(w().lossPlot()->markCount(), 1);
    }

    void closingMidTrainingStopsTheThread() {
        trainEpochs(1);
        QThread* thread = c().thread();
        QVERIFY(thread->isRunning());
        QTRY_COMPARE(c().state(), RunState::Running);
        QVERIFY(w().close());
        // Closing pauses (to ask about saving), then stops: training ends within the batch
        // under way when the flags went up, not at the end of a chunk or an epoch.
        const long long after = c().stepsDone() - c().stepsAtHalt();
        QVERIFY2(after >= 0 && after <= 1, qPrintable(QString::number(after)));
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
        QCOMPARE(c().latest()->progress.epoch, 0); // it stopped inside the first epoch
        const long long steps = c().stepsDone();
        QVERIFY(steps > 1);
        // Reset starts again from new weights with a sound learning rate.
        w().panel()->learningRateBox()->setValue(0.01);
        QSignalSpy again(&c(), &TrainingController::sessionStarted);
        w().controls()->resetAction()->trigger();
        // What the reset discards is counted in batches, not "0 epochs".
        QCOMPARE(m_dialogs->confirms, 1);
        QVERIFY2(m_dialogs->lastQuestion.contains(QString("(%1 batches)").arg(steps)), qPrintable(m_dialogs->lastQuestion));
        QTRY_COMPARE(again.count(), 1);
        QCOMPARE(c().session().config.training.learningRate, 0.01);
        trainEpochs(2);
    }

    // Open model and Other file… start where the last file was chosen, in any dialog, as
    // Save and Export do; across runs too.
    void fileDialogsStartInTheLastFolder() {
        QDir(m_tmp.path()).mkpath("elsewhere/deeper");
        const QString folder = m_tmp.filePath("elsewhere/deeper");
        const QString csv = folder + "/points.csv";
        QByteArray rows = "x,y\n";
        for (int i = 0; i < 40; ++i) rows += QByteArray::number(i) + "," + QByteArray::number(i % 5) + "\n";
        writeFile(csv, rows);
        m_dialogs->openAnswer = csv;
        QComboBox* data = w().panel()->datasetBox();
        const int other = data->count() - 1; // "Other file…"
        emit data->activated(other);
        QTRY_COMPARE(c().session().config.dataset.name, csv);
        m_dialogs->openAnswer.clear();
        w().documents()->open();
        QCOMPARE(m_dialogs->dialogStarts.size(), 2);
        QCOMPARE(m_dialogs->dialogStarts.last(), folder);
        // The next run of the program remembers it.
        closeWindow();
        openWindow();
        w().documents()->open();
        QCOMPARE(m_dialogs->dialogStarts.last(), folder);
        // A model saved elsewhere moves it there.
        QDir(m_tmp.path()).mkpath("models");
        m_dialogs->saveAnswer = m_tmp.filePath("models/m.llmodel");
        w().documents()->saveAs();
        QTRY_VERIFY(QFile::exists(m_dialogs->saveAnswer));
        m_dialogs->openAnswer.clear();
        emit w().panel()->datasetBox()->activated(w().panel()->datasetBox()->count() - 1);
        QCOMPARE(m_dialogs->dialogStarts.last(), m_tmp.filePath("models"));
    }

    // The exported plane is titled with the model and the data, as the window is.
    void exportedPlaneHasTheWindowsTitle() {
        QTRY_VERIFY(plot().codes());
        const auto s = w().documents()->latentScatter();
        QVERIFY(s);
        QVERIFY2(s->title.contains("autoencoder") && s->title.contains("swissroll"), qPrintable(s->title));
        QCOMPARE(s->title, w().windowTitle());
    }

    // Training stops while the window asks whether to discard it (the question's count
    // stays true); kept, it trains on; replaced by a file that is refused, it trains on
    // too, and the refusal's message leaves the status bar once a new model starts.
    void questionsPauseAndRefusalsResume() {
        trainEpochs(1);
        long long during = -1;
        m_dialogs->whileAsking = [&] {
            const long long asked = c().stepsDone();
            QTest::qWait(400);
            during = c().stepsDone() - asked;
        };
        m_dialogs->confirmAnswer = false;
        w().controls()->resetAction()->trigger();
        QVERIFY2(during >= 0 && during <= 2, qPrintable(QString::number(during)));
        QTRY_COMPARE(c().state(), RunState::Running); // kept: it trains on
        const long long kept = c().stepsDone();
        QTRY_VERIFY(c().stepsDone() > kept + 10);

        const QString broken = m_tmp.filePath("ragged-resume.csv");
        writeFile(broken, "x,y\n1,2\n3\n");
        m_dialogs->whileAsking = nullptr;
        m_dialogs->confirmAnswer = true;
        w().panel()->setDatasetFile(broken);
        QTRY_COMPARE(m_dialogs->errors.size(), 1);
        QTRY_COMPARE(c().state(), RunState::Running);
        const long long after = c().stepsDone();
        QTRY_VERIFY(c().stepsDone() > after + 10);
        QVERIFY(w().statusBar()->currentMessage().contains("ragged-resume.csv"));
        // Opening a model file asks the same way and, refused, trains on too.
        const QString garbage = m_tmp.filePath("garbage-resume.llmodel");
        writeFile(garbage, "no model here");
        w().documents()->openPath(garbage);
        QCOMPARE(m_dialogs->lastButton, QString("Open"));
        QVERIFY2(m_dialogs->lastQuestion.startsWith("Open " + garbage + ", discarding the current model?"),
                 qPrintable(m_dialogs->lastQuestion));
        QTRY_COMPARE(m_dialogs->errors.size(), 2);
        QTRY_COMPARE(c().state(), RunState::Running);
        const long long reopened = c().stepsDone();
        QTRY_VERIFY(c().stepsDone() > reopened + 10);

        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().applyConfig(app::loadPreset("swissroll-vae"));
        QTRY_COMPARE(session.count(), 1);
        QVERIFY2(!w().statusBar()->currentMessage().contains("resume."),
                 qPrintable(w().statusBar()->currentMessage()));
    }

    // Both plots go through the CLI's renderer: PNG, SVG and PDF alike.
    // The codes as CSV: one line per sample with its label and the plane's codes.
    void exportsTheCodesAsCsv() {
        trainEpochs(1);
        pauseAndSettle();
        const QString path = m_tmp.filePath("codes.csv");
        QVERIFY(w().documents()->exportCodesTo(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
        const Matrix& codes = *plot().codes();
        const data::Dataset& d = *c().session().dataset;
        QCOMPARE(lines.first(), QByteArray("index,label,z0,z1"));
        QCOMPARE(lines.size() - 1, int(d.rows));
        for (Index i : {Index(0), Index(7), Index(d.rows - 1)}) {
            const QList<QByteArray> cells = lines[int(i) + 1].split(',');
            QCOMPARE(cells.size(), 4);
            QCOMPARE(cells[0].toLongLong(), qlonglong(i));
            QCOMPARE(cells[1].toFloat(), d.labels[size_t(i)]);
            QCOMPARE(cells[2].toFloat(), codes(0, i));
            QCOMPARE(cells[3].toFloat(), codes(1, i));
        }
        // Samples not encoded yet (NaN, as while training) are left out; the others keep
        // their dataset index and label.
        auto partial = std::make_shared<Matrix>(codes);
        partial->leftCols(10).setConstant(std::numeric_limits<Scalar>::quiet_NaN());
        plot().setCodes(partial);
        QVERIFY(w().documents()->exportCodesTo(path));
        f.close();
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> some = f.readAll().trimmed().split('\n');
        QCOMPARE(some.size() - 1, int(d.rows) - 10);
        const QList<QByteArray> first = some[1].split(',');
        QCOMPARE(first[0], QByteArray("10"));
        QCOMPARE(first[1].toFloat(), d.labels[10]);
        QCOMPARE(first[2].toFloat(), codes(0, 10));
        QVERIFY(m_dialogs->errors.isEmpty());
    }

    // Every plot and picture of the window exports from its context menu: the window asks
    // for the file and writes what the view shows (a plot as SVG, a picture as PNG at 4x).
    void eachViewExportsWhatItShows() {
        QVERIFY(!w().findChildren<PainterView*>().isEmpty() && !w().findChildren<ImageView*>().isEmpty());
        PainterView* plotView = w().findChildren<PainterView*>().first();
        ImageView* imageView = w().findChildren<ImageView*>().first();
        plotView->setPainter([](QPainter& p, const QRectF& r) {
            app::ScatterData s;
            s.points = Matrix::Random(2, 30);
            s.title = "thirty points";
            app::paintScatter(p, r, s);
        });
        QImage digit(28, 28, QImage::Format_Grayscale8);
        digit.fill(0);
        digit.setPixel(3, 5, qRgb(255, 255, 255));
        imageView->setImage(digit);

        m_dialogs->saveAnswer = m_tmp.filePath("plot.svg");
        emit plotView->exportRequested(plotView);
        QFile svg(m_dialogs->saveAnswer);
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll();
        QVERIFY(text.contains("<svg") && text.contains("thirty points") && text.count("<circle") >= 30);

        m_dialogs->saveAnswer = m_tmp.filePath("digit"); // no suffix: a PNG
        emit imageView->saveRequested(imageView);
        const QImage saved(m_tmp.filePath("digit.png"));
        QCOMPARE(saved.size(), QSize(112, 112));
        QCOMPARE(qGray(saved.pixel(3 * 4 + 1, 5 * 4 + 3)), 255); // the white pixel, as a 4 x 4 block
        QCOMPARE(qGray(saved.pixel(2 * 4 + 3, 5 * 4)), 0);
        QVERIFY(m_dialogs->errors.isEmpty());

        // A format nobody writes: said, nothing written.
        m_dialogs->saveAnswer = m_tmp.filePath("digit.xyz");
        emit imageView->saveRequested(imageView);
        QCOMPARE(m_dialogs->errors.size(), 1);
        QVERIFY2(m_dialogs->errors.first().contains("digit.xyz"), qPrintable(m_dialogs->errors.first()));
        QVERIFY(!QFileInfo::exists(m_dialogs->saveAnswer));
    }

    void exportsPngSvgAndPdf() {
        trainEpochs(2);
        pauseAndSettle();
        for (const QString name : {"latent.png", "latent.pdf", "latent.svg", "loss.png", "loss.pdf", "loss.svg"}) {
            const QString path = m_tmp.filePath(name);
            QVERIFY(name.startsWith("latent") ? w().documents()->exportLatentTo(path)
                                              : w().documents()->exportLossTo(path));
            QVERIFY2(QFileInfo(path).size() > 1000, qPrintable(path));
        }
        const QImage latent(m_tmp.filePath("latent.png"));
        QCOMPARE(latent.width() * 4, latent.height() * 5); // 1000 x 800 at the renderer's scale
        const QImage loss(m_tmp.filePath("loss.png"));
        QCOMPARE(loss.width() * 3, loss.height() * 5); // 1000 x 600
        QFile pdf(m_tmp.filePath("loss.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly) && pdf.read(5) == "%PDF-");
        // The SVGs parse, and hold a dot per encoded sample and a curve per loss series.
        for (const QString name : {"latent.svg", "loss.svg"}) {
            QFile f(m_tmp.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(&f);
            int circles = 0, lines = 0, svg = 0;
            while (!xml.atEnd())
                if (xml.readNext() == QXmlStreamReader::StartElement) {
                    circles += xml.name() == QLatin1String("circle");
                    lines += xml.name() == QLatin1String("polyline");
                    svg += xml.name() == QLatin1String("svg");
                }
            QVERIFY2(!xml.hasError(), qPrintable(name + ": " + xml.errorString()));
            QCOMPARE(svg, 1);
            if (name == "latent.svg")
                QVERIFY2(circles >= 1000, qPrintable(QString::number(circles)));
            else
                QVERIFY(lines >= 2);
            f.seek(0);
            const QByteArray text = f.readAll();
            if (name == "loss.svg") QVERIFY(text.contains("train loss") && text.contains("validation loss"));
        }
        QVERIFY(!w().documents()->exportLossTo(m_tmp.filePath("loss.txt")));
        QCOMPARE(m_dialogs->errors.size(), 1);
    }

    // File > Export model writes what `latentlab-cli export` writes, from the training
    // thread, without saving the document: ONNX's two files, the PyTorch package's seven.
    void exportsTheModelAsOnnxAndPyTorch() {
        trainEpochs(2);
        pauseAndSettle();
        const long long savedSteps = w().controller()->savedSteps();
        QSignalSpy exported(w().controller(), &TrainingController::modelExported);
        m_dialogs->saveAnswer = m_tmp.filePath("as-onnx");
        w().documents()->exportModel(int(exporting::ExportFormat::Onnx));
        QVERIFY(exported.wait(30000));
        QCOMPARE(exported.last().at(1).toStringList().size(), 2);
        for (const QString name : {"encoder.onnx", "decoder.onnx"})
            QVERIFY2(QFileInfo(m_dialogs->saveAnswer + "/" + name).size() > 1000, qPrintable(name));
        QVERIFY2(w().statusBar()->currentMessage().contains("encoder.onnx, decoder.onnx"),
                 qPrintable(w().statusBar()->currentMessage()));

        m_dialogs->saveAnswer = m_tmp.filePath("as-pytorch");
        w().documents()->exportModel(int(exporting::ExportFormat::PyTorch));
        QVERIFY(exported.wait(30000));
        QCOMPARE(exported.last().at(1).toStringList().size(), 7);
        QFile json(m_dialogs->saveAnswer + "/model.json");
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject model = QJsonDocument::fromJson(json.readAll()).object();
        const int epochs = w().lossPlot()->history().back().epoch; // 2 or more before the pause landed
        QVERIFY(epochs >= 2);
        QCOMPARE(model["training"].toObject()["epochs_done"].toInt(), epochs);
        QCOMPARE(model["history"].toArray().size(), epochs);
        QVERIFY(exporting::readSafetensors(m_dialogs->saveAnswer + "/data.safetensors").contains("train"));
        // Not a save: the document still has unsaved training and no file.
        QVERIFY(w().documents()->currentFile().isEmpty());
        QCOMPARE(w().controller()->savedSteps(), savedSteps);

        // What `latentlab-cli import` makes of the package's checkpoint opens here: its
        // weights (here the exported ones, halved, as train.py would write them), its epochs.
        const QString package = m_tmp.filePath("as-pytorch");
        QMap<QString, exporting::Tensor> weights = exporting::readSafetensors(package + "/weights.safetensors");
        for (exporting::Tensor& t : weights)
            for (float& v : t.values) v *= 0.5f;
        writeFile(package + "/checkpoint.safetensors", exporting::safetensorsBytes(weights));
        QJsonArray history = model["history"].toArray();
        history.append(QJsonObject{{"epoch", epochs + 1}, {"train_loss", 0.5}, {"validation_loss", 0.4}, {"seconds", 1}});
        writeFile(package + "/checkpoint.json",
                  QJsonDocument(QJsonObject{{"epochs_done", epochs + 1}, {"history", history}, {"world_size", 2}}).toJson());
        const QString imported = m_tmp.filePath("imported.llmodel");
        app::writeFileAtomic(imported, exporting::importCheckpoint(package, package).modelFile);
        m_dialogs->confirmAnswer = true; // the unsaved training may go
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().documents()->openPath(imported);
        QTRY_COMPARE_WITH_TIMEOUT(session.count(), 1, 20000);
        QCOMPARE(c().session().epochsDone, epochs + 1);
        QTRY_COMPARE(w().lossPlot()->epochCount(), epochs + 1);
        QTRY_VERIFY(c().latest() && c().latest()->decoder);
        const std::unique_ptr<Model> opened = c().latest()->decoder->clone();
        int found = 0;
        for (const Parameter& p : opened->parameters())
            if (p.name == "decoder.0.bias") {
                const std::vector<float>& expected = weights["decoder.0.bias"].values;
                QCOMPARE(std::vector<float>(p.value, p.value + p.size), expected);
                QVERIFY(std::any_of(expected.begin(), expected.end(), [](float v) { return v != 0; }));
                ++found;
            }
        QCOMPARE(found, 1);
        QVERIFY(m_dialogs->errors.isEmpty());

        // A folder that cannot be made: said, and nothing else changes.
        m_dialogs->saveAnswer = m_tmp.filePath("a-file");
        QFile file(m_dialogs->saveAnswer);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        QSignalSpy failed(w().controller(), &TrainingController::errorOccurred);
        w().documents()->exportModel(int(exporting::ExportFormat::Onnx));
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.last().at(1).toString().contains("a-file: names a folder to write into"),
                 qPrintable(failed.last().at(1).toString()));
    }

    // The File menu's exports ask for the page (points, and dpi for a PNG), write it at that
    // size and propose it again next time; a cancelled question writes nothing.
    void exportsAtTheChosenSizeAndResolution() {
        trainEpochs(1);
        pauseAndSettle();
        QSettings().remove("plotExport");
        m_dialogs->saveAnswer = m_tmp.filePath("chosen.png");
        m_dialogs->pageAnswer = app::PlotPage{QSizeF(500, 400), 288};
        w().documents()->exportLatent();
        QCOMPARE(m_dialogs->pagesProposed.size(), 1);
        QCOMPARE(m_dialogs->pagesProposed[0].size, QSizeF(DocumentActions::kLatentPage));
        QCOMPARE(m_dialogs->pagesProposed[0].dpi, app::PlotPage::kDefaultDpi);
        const QImage png(m_dialogs->saveAnswer);
        QCOMPARE(png.size(), QSize(2000, 1600));
        QCOMPARE(qRound(png.dotsPerMeterX() * 0.0254), 288);

        m_dialogs->pageAnswer.reset(); // the user takes what is proposed: the last choice
        m_dialogs->saveAnswer = m_tmp.filePath("again.png");
        w().documents()->exportLatent();
        QCOMPARE(m_dialogs->pagesProposed[1].size, QSizeF(500, 400));
        QCOMPARE(m_dialogs->pagesProposed[1].dpi, 288.0);
        QCOMPARE(QImage(m_dialogs->saveAnswer).size(), QSize(2000, 1600));

        // The loss plot keeps its own shape; the PDF is one page of the chosen points.
        m_dialogs->saveAnswer = m_tmp.filePath("loss.pdf");
        m_dialogs->pageAnswer = app::PlotPage{QSizeF(300, 200), 288};
        w().documents()->exportLoss();
        QCOMPARE(m_dialogs->pagesProposed[2].size, QSizeF(DocumentActions::kLossPage));
        QFile pdf(m_dialogs->saveAnswer);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        const QString text = QString::fromLatin1(pdf.readAll());
        QVERIFY(text.startsWith("%PDF-"));
        QCOMPARE(text.count(QRegularExpression("/Type\\s*/Page\\b(?!s)")), 1);
        QVERIFY(text.contains(QRegularExpression("/MediaBox \\[0 0 300(\\.0*)? 200(\\.0*)?\\]")));

        m_dialogs->pageCancelled = true;
        m_dialogs->saveAnswer = m_tmp.filePath("cancelled.png");
        w().documents()->exportLatent();
        QVERIFY(!QFileInfo::exists(m_dialogs->saveAnswer));
        QVERIFY(m_dialogs->errors.isEmpty());
    }


    // Issue 13: the window's view goes into the file and comes back with it: the decoded
    // point (and the decoder showing it), the tab beside the prior samples, the log scale.
    void viewStateComesBackWithTheModel() {
        trainEpochs(1);
        pauseAndSettle();
        plot().setPicked(0.75, -0.5);
        w().decodeAt(0.75, -0.5);
        w().findChild<QDockWidget*>("pcaDock")->raise();
        QCheckBox* logScale = nullptr;
        for (QCheckBox* box : w().findChildren<QCheckBox*>())
            if (box->text() == "&Log scale") logScale = box;
        QVERIFY(logScale);
        logScale->setChecked(true);
        const QJsonObject before = w().viewState();
        QCOMPARE(before["tab"].toString(), QString("pcaDock"));
        const QString path = m_tmp.filePath("view.llmodel");
        QVERIFY(w().documents()->saveTo(path));

        // Another view, then the file again.
        plot().setPicked(-2, 2);
        logScale->setChecked(false);
        w().findChild<QDockWidget*>("galleryDock")->raise();
        QCOMPARE(w().viewState()["tab"].toString(), QString("galleryDock"));
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().documents()->openPath(path);
        QTRY_COMPARE(session.count(), 1);
        QTRY_VERIFY(c().latest() && c().latest()->decoder);
        QCOMPARE(w().viewState(), before);
        QVERIFY(logScale->isChecked());
        QCOMPARE(*plot().pickedPoint(), QPointF(0.75, -0.5));
        // The decoder shows the restored point, decoded by the opened model.
        const Vector z = planePoint(Vector::Zero(2), 0, 1, 0.75, -0.5);
        auto* decoder = w().findChild<DecoderView*>();
        QVERIFY(decoder);
        QTRY_VERIFY(decoder->hasPoint() && decoder->lastCode() == z);
    }

    // Issue 13: the real program, killed (-9) while it trains, leaves its autosave; the next
    // start offers it, and restoring it trains on from where the autosave stood.
    void crashedTrainingIsRestored() {
        QTemporaryDir home;
        // A model whose training never ends by itself: the program is always killed mid-run.
        app::RunConfig cfg = app::loadPreset("swissroll-ae");
        cfg.dataset.generator.samples = 600;
        cfg.training.epochs = 1000000;
        app::Experiment e = app::Experiment::prepare(cfg, data::Catalogue());
        Trainer trainer(e.model(), e.view(), e.dataset().trainingRows(), e.config().training);
        trainer.stepBatch();
        const QString start = home.filePath("start.llmodel");
        app::writeFileAtomic(start, app::modelFileBytes(e, e.model(), trainer));

        const QString dir = home.filePath("latentlab/recovery");
        QProcess program;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_DATA_HOME", home.path());
        env.insert("XDG_CONFIG_HOME", home.path());
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("LATENTLAB_AUTOSAVE_SECONDS", "0.2");
        program.setProcessEnvironment(env);
        program.start(LATENTLAB_GUI_PATH, {start, "--train"});
        QVERIFY(program.waitForStarted());
        // Two autosaves of the program's own training, the second with more steps.
        // Named by the program's PID and a random part.
        QString autosave;
        const QString pattern = QString("session-%1-*.llmodel").arg(program.processId());
        long long firstSteps = -1, steps = -1;
        QTRY_VERIFY_WITH_TIMEOUT(!QDir(dir).entryList({pattern}, QDir::Files).isEmpty(), 30000);
        autosave = QDir(dir).filePath(QDir(dir).entryList({pattern}, QDir::Files).first());
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                try {
                    steps = app::openModelFile(autosave).saved.position->steps;
                } catch (const std::exception&) {
                    return false;
                }
                if (firstSteps < 0) firstSteps = steps;
                return steps > firstSteps;
            }(),
            30000);
        program.kill(); // SIGKILL: no clean-up of any kind
        QVERIFY(program.waitForFinished());
        QVERIFY(QFile::exists(autosave));
        const long long saved = app::openModelFile(autosave).saved.position->steps;
        QVERIFY2(saved > 1, qPrintable(QString("%1 steps").arg(saved)));

        m_dialogs->recoveryChoice = Dialogs::RecoveryChoice::Restore;
        w().documents()->offerRecovery(dir, 3600);
        QCOMPARE(m_dialogs->recoveryQuestions.size(), 1);
        // It says what was training and how far it got.
        const TrainerPosition position = *app::openModelFile(autosave).saved.position;
        QVERIFY2(m_dialogs->recoveryQuestions.first().contains(
                     QString("ended without closing while it trained an autoencoder on swissroll (preset swissroll-ae), "
                             "%1 of 1000000.")
                         .arg(position.batch > 0 ? QString("in epoch %1").arg(position.epoch + 1)
                                                 : QString("after epoch %1").arg(position.epoch))),
                 qPrintable(m_dialogs->recoveryQuestions.first()));
        // Restored, the orphan handed over to this program's own autosave, and training on.
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(autosave), 20000);
        const QString own = RecoveryFile::pathFor(dir);
        QVERIFY(QFile::exists(own));
        QTRY_VERIFY_WITH_TIMEOUT(c().latest() && c().latest()->progress.steps > saved + 10, 20000);
        QCOMPARE(c().session().config.training.epochs, 1000000);
        QVERIFY(w().documents()->currentFile().isEmpty()); // Save asks for a name
        QVERIFY(m_dialogs->errors.isEmpty());
        // Nothing is offered twice.
        m_dialogs->recoveryQuestions.clear();
        w().documents()->offerRecovery(dir, 3600);
        QVERIFY(m_dialogs->recoveryQuestions.isEmpty());
        // A clean exit leaves nothing to recover.
        closeWindow();
        QVERIFY(!QFile::exists(own));
        QVERIFY(QDir(dir).entryList(QDir::Files).isEmpty());
        openWindow();
    }

    // Restored while this program cannot autosave (its file's place is taken by a folder):
    // the old file is the only copy and stays.
    void restoredFileStaysWhenTheAutosaveFails() {
        QTemporaryDir home;
        const QString dir = home.filePath("recovery");
        QVERIFY(QDir().mkpath(RecoveryFile::pathFor(dir))); // a folder where the autosave would go
        app::RunConfig cfg = app::loadPreset("swissroll-ae");
        cfg.dataset.generator.samples = 600;
        app::Experiment e = app::Experiment::prepare(cfg, data::Catalogue());
        Trainer trainer(e.model(), e.view(), e.dataset().trainingRows(), e.config().training);
        trainer.stepBatch();
        const QString orphan = dir + "/session-999999999.llmodel"; // no such process
        app::writeFileAtomic(orphan, app::modelFileBytes(e, e.model(), trainer));
        m_dialogs->recoveryChoice = Dialogs::RecoveryChoice::Restore;
        QSignalSpy session(&c(), &TrainingController::sessionStarted);
        w().documents()->offerRecovery(dir, 3600);
        QTRY_COMPARE(session.count(), 1);
        QTRY_VERIFY(!m_dialogs->errors.isEmpty());
        QVERIFY2(m_dialogs->errors.first().startsWith("Autosave failed"), qPrintable(m_dialogs->errors.first()));
        QVERIFY(QFile::exists(orphan));
    }

    // PIDs are reused (in a container every start may get the same one): a file a crashed
    // program left under this process's PID is still an orphan, offered, and never the
    // file this program writes.
    void orphanOfAnEarlierProgramWithOurPidIsOffered() {
        const QString dir = m_tmp.filePath("recovery-pid");
        QVERIFY(QDir().mkpath(dir));
        const QString orphan = dir + QString("/session-%1-0123abcd.llmodel").arg(QCoreApplication::applicationPid());
        QVERIFY(orphan != RecoveryFile::pathFor(dir));
        writeFile(orphan, "the crashed program's session");
        // Its lock as QLockFile writes it for this PID, left behind without unlocking.
        const QString lockPath = orphan.chopped(8) + ".lock";
        QByteArray lockBytes;
        {
            QLockFile held(m_tmp.filePath("probe.lock"));
            QVERIFY(held.tryLock(0));
            QFile probe(m_tmp.filePath("probe.lock"));
            QVERIFY(probe.open(QIODevice::ReadOnly));
            lockBytes = probe.readAll();
        }
        writeFile(lockPath, lockBytes);
        RecoveryFile own(dir);
        own.write("this program's session");
        const std::vector<RecoveryFile::Orphan> found = RecoveryFile::orphans(dir);
        QCOMPARE(found.size(), size_t(1));
        QCOMPARE(found[0].path, orphan);
        // This program's own file is never an orphan, and the lock is now held.
        QLockFile again(lockPath);
        QVERIFY(!again.tryLock(0));
    }

    void declinedRecoveryIsDiscardedOrKept() {
        QTemporaryDir home;
        const QString dir = home.filePath("recovery");
        QVERIFY(QDir().mkpath(dir));
        const QString orphan = dir + "/session-999999999.llmodel"; // no such process
        app::writeFileAtomic(orphan, "anything");
        m_dialogs->recoveryChoice = Dialogs::RecoveryChoice::Later;
        w().documents()->offerRecovery(dir, 3600);
        QCOMPARE(m_dialogs->recoveryQuestions.size(), 1);
        QVERIFY(QFile::exists(orphan));
        m_dialogs->recoveryChoice = Dialogs::RecoveryChoice::Discard;
        w().documents()->offerRecovery(dir, 3600);
        QCOMPARE(m_dialogs->recoveryQuestions.size(), 2);
        QVERIFY(!QFile::exists(orphan));
    }

};

QTEST_MAIN(TestDocuments)
#include "tst_documents.moc"
