// The File menu: open and save models (the CLI's .llmodel files, both ways), export the
// latent plane and the loss plot as PNG or PDF, and the recent files (QSettings).
#pragma once

#include "PlotRenderer.h"
#include "training/Recovery.h"

#include <QObject>
#include <functional>
#include <QStringList>
#include <optional>

class QAction;
class QMenu;

namespace latentlab::gui {

class MainWindow;

class DocumentActions : public QObject {
    Q_OBJECT

public:
    explicit DocumentActions(MainWindow* window);

    void addActionsTo(QMenu* menu);
    // Every plot (PainterView) and picture (ImageView) in the window: their context menu's
    // export asks for a file here and reports errors like the other exports.
    void watchViewExports();

    void open();
    void openPath(const QString& path);
    // After a crash: offers the newest session a program left autosaved in `directory`
    // (Restore: open it and train on; Discard; Not now: asked again next start), and from
    // now on autosaves this window's training there (at most every `autosaveSeconds`, and
    // whenever training pauses or finishes). The prompt is not modal.
    void offerRecovery(const QString& directory, double autosaveSeconds);
    void save();
    void saveAs();
    // Saves to `path` and waits for the training thread to finish writing; false (after
    // reporting why) if it failed.
    bool saveTo(const QString& path);
    // Save, for the close dialog: asks for a name if there is none. False if not saved.
    bool saveNow();
    void exportLatent();
    void exportLoss();
    void exportCodes();
    // The model as it stands, as ONNX files or a PyTorch package (exporting::ExportFormat),
    // into a folder the user names; written by the training thread like a save.
    void exportModel(int format);
    void exportModelTo(const QString& folder, int format);
    // Write the plots; false (after reporting why) on failure.
    // The plots' pages unless told otherwise (points, at PlotPage::kDefaultDpi).
    static constexpr QSizeF kLatentPage{1000, 800}, kLossPage{1000, 600}, kViewPage{1000, 700};
    bool exportLatentTo(const QString& path, const app::PlotPage& page = {kLatentPage});
    bool exportLossTo(const QString& path, const app::PlotPage& page = {kLossPage});
    // The latent codes the plane holds (every sample's once training pauses and they
    // settle; while training, the ones encoded so far) as CSV: index,label,z0,z1,...
    bool exportCodesTo(const QString& path);
    // What an export of the latent plane draws; empty before the first codes.
    std::optional<app::ScatterData> latentScatter() const;

    const QString& currentFile() const { return m_currentFile; }
    // Where file dialogs start: the folder of the last file chosen in any of them (kept
    // across runs), else the home folder. Save and export prefer the model's own folder.
    QString lastFolder() const;
    void rememberFolder(const QString& chosenFile);
    QStringList recentFiles() const;

private:
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    QString askModelPath();
    // The file to export to (empty: cancelled), `suffix` added when the name has none;
    // a plot's formats unless another filter is given.
    QString askExportPath(const QString& caption, const QString& baseName, const char* filter = nullptr,
                          const QString& suffix = "png");
    // The page for a plot going to `path`, as last chosen for plots of this `kind` (size)
    // and any PNG (dpi), else `size`; asked of the user, remembered. Empty: cancelled.
    std::optional<app::PlotPage> askPlotPage(const QString& path, const QString& kind, QSizeF size);
    // Runs `write` (which throws with the reason) and tells the user how it went.
    bool exportWith(const QString& path, const std::function<void()>& write);
    QString saveFolder() const;

    void restore(const RecoveryFile::Orphan& orphan);

    MainWindow* m_window;
    QString m_currentFile;
    std::optional<RecoveryFile::Orphan> m_restoring; // opened, until its session starts
    QString m_recoveryDirectory;
    QMenu* m_recentMenu = nullptr;
};

} // namespace latentlab::gui
