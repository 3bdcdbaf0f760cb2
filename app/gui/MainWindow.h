// Latent Lab's window: the settings on the left, the latent plane in the centre, the
// decoder view and the prior samples on the right, loss curves and reconstructions below,
// the training controls on top. It wires the TrainingController's snapshots to the views
// and the views' requests (decode this point, sample, reset) back.
#pragma once

#include "Dialogs.h"
#include "training/Snapshot.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QMainWindow>
#include <optional>
#include <memory>
#include <vector>

class QCheckBox;
class QDockWidget;
class QLabel;

namespace latentlab::gui {

class ControlBar;
class DecoderView;
class DenoisingView;
class InterpolationView;
class DocumentActions;
class LatentView;
class LossPlot;
class ModelView;
class AnomalyView;
class ManifoldView;
class MetricsView;
class PcaView;
class ReconstructionStrip;
class SampleGallery;
class FiltersView;
class SettingsPanel;
class TrainingController;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    // Starts with the default preset (the Swiss roll autoencoder).
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Tests install dialogs that answer by themselves and record the errors.
    void setDialogs(std::unique_ptr<Dialogs> dialogs);
    Dialogs& dialogs() { return *m_dialogs; }

    // A new session with config, asking first if that would throw away training. `action`
    // names what the user did for the question's button ("Load preset"), `what` says it
    // in full ("Load preset mnist-vae").
    void applyConfig(const app::RunConfig& config, const QString& action = QString(), const QString& what = QString());
    // How much training the current model has had, in words: "12 epochs", "1 epoch and
    // 5 batches", "7 batches".
    QString trainingDoneText() const;
    // Decodes the plane point (x, y) with the latest published decoder.
    void decodeAt(double x, double y);
    // What the window shows of the session, kept in its model file ("window.view") and
    // restored when the file opens: the plane's dimensions and decoded point, the tab
    // shown beside the prior samples, the loss plot's log scale.
    QJsonObject viewState() const;
    void applyViewState(const QJsonObject& state);
    void samplePrior(int count);
    void reportError(const QString& title, const QString& message);
    // Whether there is training that was not saved.
    bool hasUnsavedTraining() const;
    // Before replacing the session with `what` ("Load preset mnist-vae"): pauses training,
    // so the question shows what it would discard and not a moving count, and asks if
    // there is unsaved training (window title `title`, the button that goes ahead
    // `button`). False: the model stays and trains on if it did. True: the caller replaces
    // it, and training goes on if the new session is refused (a broken file).
    bool confirmReplacement(const QString& title, const QString& button, const QString& what);

    TrainingController* controller() const { return m_controller; }
    SettingsPanel* panel() const { return m_panel; }
    LatentView* latentView() const { return m_latent; }
    DecoderView* decoderView() const { return m_decoder; }
    SampleGallery* gallery() const { return m_gallery; }
    FiltersView* filtersView() const { return m_filters; }
    QLabel* objectiveLabel() const { return m_objective; }
    LossPlot* lossPlot() const { return m_loss; }
    ManifoldView* manifoldView() const { return m_manifold; }
    AnomalyView* anomalyView() const { return m_anomalies; }
    PcaView* pcaView() const { return m_pca; }
    DenoisingView* denoisingView() const { return m_denoising; }
    InterpolationView* interpolationView() const { return m_interpolation; }
    MetricsView* metricsView() const { return m_metrics; }
    ReconstructionStrip* reconstructions() const { return m_recon; }
    ControlBar* controls() const { return m_controls; }
    DocumentActions* documents() const { return m_documents; }

signals:
    void errorShown(const QString& title, const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QDockWidget* addDock(const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area);
    void buildMenus();
    void connectController();
    void connectPanel();
    void onSession(const SessionInfo& info);
    void onSnapshot(const SnapshotPtr& snapshot);
    void resetTo(const app::RunConfig& config);

    std::unique_ptr<Dialogs> m_dialogs;
    TrainingController* m_controller;
    SettingsPanel* m_panel;
    LatentView* m_latent;
    DecoderView* m_decoder;
    SampleGallery* m_gallery;
    FiltersView* m_filters;
    LossPlot* m_loss;
    ManifoldView* m_manifold;
    AnomalyView* m_anomalies;
    PcaView* m_pca;
    DenoisingView* m_denoising;
    InterpolationView* m_interpolation;
    MetricsView* m_metrics;
    std::vector<ModelView*> m_views; // the tabs beside the prior samples, told of every change
    QCheckBox* m_logScale;
    std::optional<QPointF> m_pendingPick; // a restored point, decoded once a model is here
    QLabel* m_objective;
    ReconstructionStrip* m_recon;
    ControlBar* m_controls;
    DocumentActions* m_documents;
    QDockWidget* m_galleryDock = nullptr;
    std::shared_ptr<const Model> m_decodedWith; // the decoder the views show the output of
    std::shared_ptr<const Model> m_galleryDecodedWith; // the decoder of the prior gallery
    QElapsedTimer m_galleryDecoded;
    uint64_t m_sampleSeed = 1;
    bool m_closing = false;
    bool m_resumeIfRejected = false; // training ran before a replacement that may fail
};

} // namespace latentlab::gui
