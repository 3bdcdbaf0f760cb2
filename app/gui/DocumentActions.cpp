#include "DocumentActions.h"

#include "ModelExport.h"
#include "TrainedModel.h"

#include "MainWindow.h"
#include "training/TrainingController.h"
#include "views/latent/LatentPlot.h"
#include "views/latent/LatentView.h"
#include "views/output/ImageView.h"
#include "views/plots/LossPlot.h"
#include "views/plots/PainterView.h"
#include "views/plots/PlotTheme.h"

#include "PlotRenderer.h"
#include "RunFiles.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>
#include <QMenu>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

namespace latentlab::gui {

namespace {
constexpr int kMaxRecent = 8;
const char* kModelFilter = "Latent Lab models (*.llmodel);;All files (*)";
const char* kPlotFilter = "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)";
} // namespace

DocumentActions::DocumentActions(MainWindow* window) : QObject(window), m_window(window) {
    TrainingController* c = window->controller();
    connect(c, &TrainingController::modelSaved, this, [this](const QString& path) {
        m_currentFile = path;
        addRecent(path);
        m_window->statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    });
    connect(c, &TrainingController::modelExported, this, [this](const QString& folder, const QStringList& files) {
        QStringList names;
        for (const QString& f : files) names << QFileInfo(f).fileName();
        m_window->statusBar()->showMessage(tr("Exported %1 into %2").arg(names.join(", "), folder), 10000);
    });
    connect(c, &TrainingController::sessionStarted, this, [this](const SessionInfo& info) {
        if (m_restoring && info.modelFile == m_restoring->path) {
            // This program's own autosave holds it now (the worker wrote it on opening);
            // if that write failed, the old file stays for the next start.
            const QString when = QLocale().toString(m_restoring->saved, QLocale::ShortFormat);
            if (QFileInfo(RecoveryFile::pathFor(m_recoveryDirectory)).isFile()) RecoveryFile::discard(*m_restoring);
            m_restoring.reset();
            m_currentFile.clear(); // Save asks for a name, not the recovery folder's
            m_window->statusBar()->showMessage(
                tr("Restored the session autosaved at %1 (epoch %2); training goes on").arg(when).arg(info.epochsDone),
                15000);
            m_window->controller()->train();
            return;
        }
        m_currentFile = info.modelFile;
        if (!info.modelFile.isEmpty()) addRecent(info.modelFile);
    });
    connect(c, &TrainingController::sessionRejected, this, [this] { m_restoring.reset(); });
}

void DocumentActions::addActionsTo(QMenu* menu) {
    menu->addAction(tr("&Open model…"), QKeySequence::Open, this, &DocumentActions::open);
    m_recentMenu = menu->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    menu->addAction(tr("&Save model"), QKeySequence::Save, this, &DocumentActions::save);
    menu->addAction(tr("Save model &as…"), QKeySequence::SaveAs, this, &DocumentActions::saveAs);
    menu->addSeparator();
    // Ctrl+Shift+E is the usual export shortcut (KDE, Krita, GIMP); Ctrl+Shift+O would read
    // as a variant of Open. The second export has none, as in those programs.
    menu->addAction(tr("&Export latent plane…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this,
                    &DocumentActions::exportLatent);
    menu->addAction(tr("Export l&oss plot…"), this, &DocumentActions::exportLoss);
    menu->addAction(tr("Export latent &codes (CSV)…"), this, &DocumentActions::exportCodes);
    menu->addSeparator();
    menu->addAction(tr("Export model as O&NNX…"), this, [this] { exportModel(int(exporting::ExportFormat::Onnx)); });
    menu->addAction(tr("Export model as &PyTorch package…"), this,
                    [this] { exportModel(int(exporting::ExportFormat::PyTorch)); });
}

void DocumentActions::watchViewExports() {
    for (PainterView* view : m_window->findChildren<PainterView*>())
        connect(view, &PainterView::exportRequested, this, [this](PainterView* v) {
            const QString path = askExportPath(tr("Export the plot"), "figure");
            if (path.isEmpty()) return;
            if (const auto page = askPlotPage(path, "view", kViewPage)) exportWith(path, [&] { v->exportTo(path, *page); });
        });
    for (ImageView* view : m_window->findChildren<ImageView*>())
        connect(view, &ImageView::saveRequested, this, [this](ImageView* v) {
            const QString path = askExportPath(tr("Save the image"), "figure", "PNG image (*.png)");
            if (!path.isEmpty()) exportWith(path, [&] { v->saveTo(path); });
        });
}

QStringList DocumentActions::recentFiles() const { return QSettings().value("recentFiles").toStringList(); }

void DocumentActions::addRecent(const QString& path) {
    QStringList files = recentFiles();
    const QString abs = QFileInfo(path).absoluteFilePath();
    files.removeAll(abs);
    files.prepend(abs);
    while (files.size() > kMaxRecent) files.removeLast();
    QSettings().setValue("recentFiles", files);
    rebuildRecentMenu();
}

void DocumentActions::rebuildRecentMenu() {
    if (!m_recentMenu) return;
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (const QString& f : files) m_recentMenu->addAction(f, this, [this, f] { openPath(f); });
    m_recentMenu->setEnabled(!files.isEmpty());
}

QString DocumentActions::lastFolder() const {
    const QString dir = QSettings().value("lastFolder").toString();
    return !dir.isEmpty() && QFileInfo(dir).isDir() ? dir : QDir::homePath();
}

void DocumentActions::rememberFolder(const QString& chosenFile) {
    if (!chosenFile.isEmpty()) QSettings().setValue("lastFolder", QFileInfo(chosenFile).absolutePath());
}

QString DocumentActions::saveFolder() const {
    return m_currentFile.isEmpty() ? lastFolder() : QFileInfo(m_currentFile).absolutePath();
}

void DocumentActions::open() {
    const QString path = m_window->dialogs().openFileName(m_window, tr("Open a model"), lastFolder(), tr(kModelFilter));
    rememberFolder(path);
    if (!path.isEmpty()) openPath(path);
}

void DocumentActions::openPath(const QString& path) {
    if (!m_window->confirmReplacement(tr("Open model"), tr("Open"), tr("Open %1").arg(path))) return;
    m_window->controller()->openModel(path);
}

void DocumentActions::offerRecovery(const QString& directory, double autosaveSeconds) {
    m_recoveryDirectory = directory;
    std::vector<RecoveryFile::Orphan> orphans = RecoveryFile::orphans(directory);
    m_window->controller()->enableAutosave(directory, autosaveSeconds);
    if (orphans.empty()) return;
    const RecoveryFile::Orphan newest = orphans.front(); // the others stay for a later start
    // What it was: the model, its data and how far it got, so the user knows what to keep.
    QString what;
    try {
        const app::OpenedModel opened = app::openModelFile(newest.path);
        const app::RunConfig& c = opened.config;
        const int epoch = opened.saved.position ? opened.saved.position->epoch : std::max(0, opened.epochsDone);
        const bool midEpoch = opened.saved.position && opened.saved.position->batch > 0;
        what = tr(" %1 on %2%3, %4 of %5")
                   .arg(opened.saved.model->kind() == ModelKind::Vae ? tr("a VAE") : tr("an autoencoder"),
                        c.dataset.name.isEmpty() ? tr("its data") : QFileInfo(c.dataset.name).fileName(),
                        c.name.isEmpty() ? QString() : tr(" (preset %1)").arg(c.name),
                        midEpoch ? tr("in epoch %1").arg(epoch + 1) : tr("after epoch %1").arg(epoch))
                   .arg(c.training.epochs);
    } catch (const std::exception& e) {
        what = tr(" (its autosave cannot be read: %1)").arg(QString::fromUtf8(e.what()));
    }
    m_window->dialogs().askRecovery(
        m_window,
        tr("Latent Lab ended without closing while it trained%1. The session it autosaved at %2 can be restored, "
           "and training goes on from there exactly.")
            .arg(what, QLocale().toString(newest.saved, QLocale::ShortFormat)),
        [this, newest](Dialogs::RecoveryChoice choice) {
            if (choice == Dialogs::RecoveryChoice::Restore) restore(newest);
            else if (choice == Dialogs::RecoveryChoice::Discard) RecoveryFile::discard(newest);
            // Later: the lock goes with the last copy of `newest`; the file stays.
        });
}

void DocumentActions::restore(const RecoveryFile::Orphan& orphan) {
    if (!m_window->confirmReplacement(tr("Restore training"), tr("Restore"), tr("Restore the autosaved session")))
        return;
    m_restoring = orphan;
    m_window->controller()->openModel(orphan.path);
}

void DocumentActions::save() { saveNow(); }

void DocumentActions::saveAs() {
    const QString path = askModelPath();
    if (!path.isEmpty()) saveTo(path);
}

bool DocumentActions::saveNow() {
    if (m_currentFile.endsWith(".llmodel")) return saveTo(m_currentFile);
    const QString path = askModelPath();
    return !path.isEmpty() && saveTo(path);
}

QString DocumentActions::askModelPath() {
    const app::RunConfig& c = m_window->controller()->session().config;
    QString path = m_window->dialogs().saveFileName(
        m_window, tr("Save the model"), QDir(saveFolder()).filePath((c.name.isEmpty() ? "model" : c.name) + ".llmodel"),
        tr(kModelFilter));
    rememberFolder(path);
    if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty()) path += ".llmodel";
    return path;
}

bool DocumentActions::saveTo(const QString& path) {
    TrainingController* c = m_window->controller();
    // The training thread writes the file between two chunks; wait here for its answer so
    // callers (closing the window) know the file is complete.
    bool ok = false, answered = false;
    QEventLoop loop;
    const auto saved = connect(c, &TrainingController::modelSaved, &loop, [&] {
        ok = answered = true;
        loop.quit();
    });
    const auto failed = connect(c, &TrainingController::errorOccurred, &loop, [&] {
        answered = true;
        loop.quit();
    });
    c->saveModel(path, QString::fromUtf8(QJsonDocument(m_window->viewState()).toJson(QJsonDocument::Compact)));
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    if (!answered) loop.exec();
    disconnect(saved);
    disconnect(failed);
    return ok;
}

QString DocumentActions::askExportPath(const QString& caption, const QString& baseName, const char* filter,
                                      const QString& suffix) {
    QString path = m_window->dialogs().saveFileName(m_window, caption,
                                                    QDir(saveFolder()).filePath(baseName + "." + suffix),
                                                    tr(filter ? filter : kPlotFilter));
    rememberFolder(path);
    if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty()) path += "." + suffix;
    return path;
}

std::optional<app::PlotPage> DocumentActions::askPlotPage(const QString& path, const QString& kind, QSizeF size) {
    QSettings settings;
    const QString key = "plotExport/" + kind;
    app::PlotPage proposed{settings.value(key + "/size", size).toSizeF(),
                           settings.value("plotExport/dpi", app::PlotPage::kDefaultDpi).toDouble()};
    if (!proposed.problem().isEmpty()) proposed = {size}; // a hand-edited setting
    const std::optional<app::PlotPage> page = m_window->dialogs().askPlotPage(m_window, path, proposed);
    if (page) {
        settings.setValue(key + "/size", page->size);
        if (path.endsWith(".png", Qt::CaseInsensitive)) settings.setValue("plotExport/dpi", page->dpi);
    }
    return page;
}

bool DocumentActions::exportWith(const QString& path, const std::function<void()>& write) {
    try {
        write();
    } catch (const std::exception& e) {
        m_window->reportError(tr("Could not export"), QString::fromUtf8(e.what()));
        return false;
    }
    m_window->statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    return true;
}

void DocumentActions::exportModel(int format) {
    const bool onnx = format == int(exporting::ExportFormat::Onnx);
    const QString preset = m_window->controller()->session().config.name;
    const QString base = (!m_currentFile.isEmpty() ? QFileInfo(m_currentFile).completeBaseName()
                          : !preset.isEmpty()      ? preset
                                                   : QString("model")) +
                         (onnx ? "-onnx" : "-pytorch");
    const QString folder = m_window->dialogs().saveFileName(
        m_window, onnx ? tr("Export the model as ONNX into the folder") : tr("Export the model as a PyTorch package into the folder"),
        QDir(saveFolder()).filePath(base), tr("Folder (*)"));
    if (folder.isEmpty()) return;
    rememberFolder(folder);
    exportModelTo(folder, format);
}

void DocumentActions::exportModelTo(const QString& folder, int format) {
    const QString name = m_currentFile.isEmpty() ? m_window->controller()->session().config.name
                                                 : QFileInfo(m_currentFile).completeBaseName();
    m_window->statusBar()->showMessage(tr("Exporting the model into %1…").arg(folder));
    m_window->controller()->exportModel(folder, format, name);
}

void DocumentActions::exportLatent() {
    const QString path = askExportPath(tr("Export the latent plane"), "latent");
    if (path.isEmpty()) return;
    if (const auto page = askPlotPage(path, "latent", kLatentPage)) exportLatentTo(path, *page);
}

void DocumentActions::exportLoss() {
    const QString path = askExportPath(tr("Export the loss plot"), "loss");
    if (path.isEmpty()) return;
    if (const auto page = askPlotPage(path, "loss", kLossPage)) exportLossTo(path, *page);
}

void DocumentActions::exportCodes() {
    const QString path = askExportPath(tr("Export the latent codes"), "latent", "CSV table (*.csv)", "csv");
    if (!path.isEmpty()) exportCodesTo(path);
}

bool DocumentActions::exportCodesTo(const QString& path) {
    const auto codes = m_window->latentView()->plot()->codes();
    const SessionInfo& info = m_window->controller()->session();
    std::vector<Index> rows;
    if (codes && info.dataset)
        for (Index i = 0; i < codes->cols(); ++i)
            if (codes->col(i).allFinite()) rows.push_back(i); // NaN: not encoded yet
    if (rows.empty()) {
        m_window->reportError(tr("Nothing to export"), tr("%1: no sample is encoded yet").arg(path));
        return false;
    }
    Matrix kept(codes->rows(), Index(rows.size()));
    for (size_t k = 0; k < rows.size(); ++k) kept.col(Index(k)) = codes->col(rows[k]);
    if (!exportWith(path, [&] { app::writeFileAtomic(path, app::latentCsv(kept, *info.dataset, &rows)); }))
        return false;
    m_window->statusBar()->showMessage(
        Index(rows.size()) == codes->cols()
            ? tr("Exported %1 (%2 codes)").arg(path).arg(rows.size())
            : tr("Exported %1: %2 of %3 samples' codes, those encoded so far (pause training for all)")
                  .arg(path)
                  .arg(rows.size())
                  .arg(codes->cols()),
        8000);
    return true;
}

std::optional<app::ScatterData> DocumentActions::latentScatter() const {
    const LatentPlot* plot = m_window->latentView()->plot();
    const auto codes = plot->codes();
    const SessionInfo& info = m_window->controller()->session();
    if (!codes || !info.dataset) return std::nullopt;
    const data::Dataset& d = *info.dataset;
    app::ScatterData s;
    s.points.resize(2, codes->cols());
    s.points.row(0) = codes->row(plot->dimX());
    for (Index i = 0; i < codes->cols(); ++i)
        s.points(1, i) = plot->dimY() >= 0 ? (*codes)(plot->dimY(), i) : d.labels.empty() ? Scalar(i) : d.labels[size_t(i)];
    // Samples not encoded yet (NaN) are left out.
    std::vector<Index> keep;
    for (Index i = 0; i < s.points.cols(); ++i)
        if (s.points.col(i).allFinite()) keep.push_back(i);
    Matrix kept(2, Index(keep.size()));
    for (size_t k = 0; k < keep.size(); ++k) kept.col(Index(k)) = s.points.col(keep[k]);
    s.points = kept;
    if (!d.labels.empty())
        for (Index i : keep) s.labels.push_back(d.labels[size_t(i)]);
    s.labelKind = d.labels.empty() ? data::LabelKind::None : d.labelKind;
    s.classNames = d.classNames;
    s.labelName = QString::fromStdString(d.labelName);
    s.title = m_window->windowTitle(); // the model and the data; Qt shows the program's name beside it
    s.xLabel = QString("z%1").arg(plot->dimX());
    s.yLabel = plot->dimY() >= 0 ? QString("z%1").arg(plot->dimY()) : s.labelName;
    return s;
}

bool DocumentActions::exportLatentTo(const QString& path, const app::PlotPage& page) {
    const std::optional<app::ScatterData> s = latentScatter();
    if (!s) {
        m_window->reportError(tr("Nothing to export"), tr("%1: the latent plane is still empty").arg(path));
        return false;
    }
    // The shared renderer draws every point as a vector shape: sharp in a PDF at any zoom.
    return exportWith(path, [&] {
        app::savePlot(path, page, [&](QPainter& p, const QRectF& r) { app::paintScatter(p, r, *s); });
    });
}

bool DocumentActions::exportLossTo(const QString& path, const app::PlotPage& page) {
    const LossPlot* plot = m_window->lossPlot();
    const std::vector<EpochReport> history = plot->history();
    if (history.empty()) {
        m_window->reportError(tr("Nothing to export"), tr("%1: no epoch has finished yet").arg(path));
        return false;
    }
    // The CLI's renderer (light, for paper and slides, whatever the window shows), so the
    // window's export and `latentlab-cli plot --kind loss` draw alike.
    return exportWith(path, [&] {
        app::savePlot(path, page, [&](QPainter& p, const QRectF& r) {
            app::paintLossCurves(p, r, history, plot->logScale(), tr("Loss: %1").arg(m_window->windowTitle()));
        });
    });
}

} // namespace latentlab::gui
