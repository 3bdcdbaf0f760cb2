#include "MainWindow.h"

#include "About.h"
#include "DocumentActions.h"
#include "panels/ControlBar.h"
#include "panels/SettingsPanel.h"
#include "training/TrainingController.h"
#include "views/latent/LatentPlot.h"
#include "views/latent/LatentView.h"
#include "views/anomaly/AnomalyView.h"
#include "views/denoising/DenoisingView.h"
#include "views/interpolation/InterpolationView.h"
#include "views/manifold/ManifoldView.h"
#include "views/pca/PcaView.h"
#include "views/metrics/MetricsView.h"
#include "views/LatestTask.h"
#include "views/output/DecoderView.h"
#include "views/output/FiltersView.h"
#include "views/output/ReconstructionStrip.h"
#include "views/output/SampleGallery.h"
#include "views/plots/LossPlot.h"
#include "views/plots/PlotTheme.h"

#include "latentlab/Multiply.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>
#include <utility>

namespace latentlab::gui {

namespace {
// Each view's pool work while training runs: at most this share of one core (the
// Manifold, PCA and Anomalies tabs: 3 % of one core together, work of up to 0.15 s at a
// time; see LatestTask::pauseSeconds. The Metrics tab's one small measurement per epoch
// keeps no share).
constexpr double kViewShareWhileTraining = 0.01;
} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_dialogs(std::make_unique<Dialogs>()) {
    setWindowTitle(tr("Latent Lab"));
    m_controller = new TrainingController(this);
    m_panel = new SettingsPanel;
    m_latent = new LatentView;
    m_decoder = new DecoderView;
    m_gallery = new SampleGallery;
    m_filters = new FiltersView;
    m_manifold = new ManifoldView;
    m_anomalies = new AnomalyView;
    m_pca = new PcaView;
    m_denoising = new DenoisingView;
    m_interpolation = new InterpolationView;
    m_metrics = new MetricsView;
    m_loss = new LossPlot;
    m_recon = new ReconstructionStrip;
    m_controls = new ControlBar(this);
    m_documents = new DocumentActions(this);
    addToolBar(Qt::TopToolBarArea, m_controls);
    setCentralWidget(m_latent);

    auto* scroll = new QScrollArea;
    scroll->setWidget(m_panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(m_panel->sizeHint().width() + 16); // never clip the fields
    addDock(tr("Data & model"), "settingsDock", scroll, Qt::LeftDockWidgetArea);
    addDock(tr("Decoder"), "decoderDock", m_decoder, Qt::RightDockWidgetArea);
    m_galleryDock = addDock(tr("Prior samples"), "galleryDock", m_gallery, Qt::RightDockWidgetArea);
    // Tabs beside the prior samples, each a ModelView that hears of sessions, snapshots and
    // models through the list; the views that compute for every new model do so only while
    // their tab shows (visibilityChanged also reports a tab chosen or left).
    auto tab = [this](const QString& title, const QString& name, auto* view) {
        QDockWidget* dock = addDock(title, name, view, Qt::RightDockWidgetArea);
        tabifyDockWidget(m_galleryDock, dock);
        ModelView* v = view;
        m_views.push_back(v);
        connect(dock, &QDockWidget::visibilityChanged, dock, [v](bool shown) { v->setActive(shown); });
        // A tab floated out of the dock area and shown reports "hidden" on the way and
        // nothing after (Qt 6.4): read whether it shows once the move is done.
        connect(dock, &QDockWidget::topLevelChanged, dock, [dock, v](bool floating) {
            if (floating) QTimer::singleShot(0, dock, [dock, v] { v->setActive(dock->isVisible()); });
        });
    };
    // What the first layer learned.
    tab(tr("Filters"), "filtersDock", m_filters);
    // The decoded manifold, its extent drawn on the plane.
    tab(tr("Manifold"), "manifoldDock", m_manifold);
    connect(m_manifold, &ManifoldView::extentChanged, m_latent->plot(), &LatentPlot::setGridExtent);
    connect(m_latent, &LatentView::dimsChanged, m_manifold, &ManifoldView::setDimensions);
    // PCA beside the model.
    tab(tr("PCA"), "pcaDock", m_pca);
    // Anomaly detection by reconstruction error.
    tab(tr("Anomalies"), "anomalyDock", m_anomalies);
    // Interpolation between two samples, its path drawn on the plane.
    tab(tr("Interpolation"), "interpolationDock", m_interpolation);
    connect(m_interpolation, &InterpolationView::pathChanged, m_latent->plot(), &LatentPlot::setPath);
    connect(m_latent, &LatentView::dimsChanged, m_interpolation, &InterpolationView::setDimensions);
    // Denoising at inference.
    tab(tr("Denoising"), "denoisingDock", m_denoising);
    // The figures of the codes epoch by epoch.
    tab(tr("Metrics"), "metricsDock", m_metrics);
    m_galleryDock->raise();
    auto* lossBox = new QWidget;
    auto* lossLayout = new QVBoxLayout(lossBox);
    lossLayout->setContentsMargins(0, 0, 0, 0);
    m_logScale = new QCheckBox(tr("&Log scale"));
    m_logScale->setToolTip(tr("Show the loss on a logarithmic axis (Ctrl+L)"));
    // The objective written out with its terms' latest values, beside the log-scale switch.
    m_objective = new QLabel;
    m_objective->setObjectName("objective");
    m_objective->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_objective->setToolTip(tr("What training minimises, term by term, with the last epoch's training means"));
    auto* lossBar = new QHBoxLayout;
    lossBar->addWidget(m_logScale);
    lossBar->addSpacing(16);
    lossBar->addWidget(m_objective, 1);
    lossLayout->addLayout(lossBar);
    lossLayout->addWidget(m_loss, 1);
    QDockWidget* lossDock = addDock(tr("Loss"), "lossDock", lossBox, Qt::BottomDockWidgetArea);
    QDockWidget* reconDock = addDock(tr("Reconstructions"), "reconDock", m_recon, Qt::BottomDockWidgetArea);
    splitDockWidget(lossDock, reconDock, Qt::Horizontal);
    resizeDocks({lossDock, reconDock}, {3, 2}, Qt::Horizontal);
    resizeDocks({lossDock}, {300}, Qt::Vertical);
    connect(m_logScale, &QCheckBox::toggled, m_loss, &LossPlot::setLogScale);

    buildMenus();
    connectController();
    connectPanel();
    connect(m_latent->plot(), &LatentPlot::picked, this, &MainWindow::decodeAt);
    // The feature maps follow the sample last under the mouse.
    connect(m_latent->plot(), &LatentPlot::hovered, m_filters, [this](int row) { m_filters->setSampleRow(row); });
    connect(m_latent, &LatentView::sampleRequested, this, &MainWindow::samplePrior);

    // First start: the screen (up to 1600 x 1000); later the layout the user left.
    if (const QScreen* screen = QGuiApplication::primaryScreen())
        resize(screen->availableGeometry().size().boundedTo(QSize(1600, 1000)));
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    statusBar()->showMessage(tr("Space: pause/resume · F5: train · click the plane to decode"));
    m_documents->watchViewExports(); // every plot and picture built above
    m_controller->startSession(app::loadPreset(app::defaultPresetName()));
}

MainWindow::~MainWindow() {
    m_controller->shutdown();
    LatestTask::setCpuShare(1.0); // not running any more: a later window starts unthrottled
}

void MainWindow::setDialogs(std::unique_ptr<Dialogs> dialogs) { m_dialogs = std::move(dialogs); }

QDockWidget* MainWindow::addDock(const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name); // saveState() needs it
    dock->setWidget(widget);
    addDockWidget(area, dock);
    // In a menu '&' marks a mnemonic: "Data & model" would read "Data _model" there.
    dock->toggleViewAction()->setText(QString(title).replace('&', "&&"));
    return dock;
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_documents->addActionsTo(file);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* presets = menuBar()->addMenu(tr("&Presets"));
    for (const QString& name : app::presetNames()) {
        const app::RunConfig preset = app::loadPreset(name);
        QAction* a = presets->addAction(name, this, [this, name] {
            applyConfig(app::loadPreset(name), tr("Load preset"), tr("Load preset %1").arg(name));
        });
        a->setToolTip(preset.description);
        a->setStatusTip(preset.description);
    }
    presets->setToolTipsVisible(true);

    QMenu* training = menuBar()->addMenu(tr("&Training"));
    for (QAction* a : {m_controls->trainAction(), m_controls->pauseAction(), m_controls->stepEpochAction(),
                       m_controls->stepBatchAction(), m_controls->resetAction()})
        training->addAction(a);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
    view->addSeparator();
    // Light or dark whatever the desktop uses: a projector in a lit room wants light.
    QMenu* colours = view->addMenu(tr("&Colours"));
    auto* schemes = new QActionGroup(colours);
    const ColourScheme saved = parseColourScheme(QSettings().value("colours").toString());
    for (const auto& choice : {std::pair{ColourScheme::System, tr("As the &desktop")},
                               std::pair{ColourScheme::Light, tr("&Light")}, std::pair{ColourScheme::Dark, tr("D&ark")}}) {
        const ColourScheme scheme = choice.first; // a structured binding cannot be captured in C++17
        QAction* a = colours->addAction(choice.second);
        a->setCheckable(true);
        a->setChecked(scheme == saved);
        a->setObjectName("colours-" + colourSchemeName(scheme));
        schemes->addAction(a);
        connect(a, &QAction::triggered, this, [scheme] {
            applyColourScheme(scheme);
            QSettings().setValue("colours", colourSchemeName(scheme));
        });
    }
    if (saved != ColourScheme::System) applyColourScheme(saved);
    QAction* log = view->addAction(tr("&Log scale loss"));
    log->setCheckable(true);
    log->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(log, &QAction::toggled, m_logScale, &QCheckBox::setChecked);
    connect(m_logScale, &QCheckBox::toggled, log, &QAction::setChecked);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Latent Lab"), this, [this] { m_dialogs->about(this, tr("About Latent Lab"), aboutText()); });
}

void MainWindow::connectController() {
    TrainingController* c = m_controller;
    connect(c, &TrainingController::sessionStarted, this, &MainWindow::onSession);
    connect(c, &TrainingController::snapshotArrived, this, &MainWindow::onSnapshot);
    connect(c, &TrainingController::sessionRejected, this, [this] {
        // Show the settings and progress of the model that goes on, not the ones that failed,
        // and let it train on if it was training.
        if (m_controller->hasSession()) m_panel->setConfig(m_controller->session().config);
        m_controls->endBusy();
        if (std::exchange(m_resumeIfRejected, false)) m_controller->train();
    });
    connect(c, &TrainingController::stateChanged, m_controls, &ControlBar::setState);
    // While training runs the views' pool work keeps to a small share of a core, so the
    // cores stay with training (measured with --perf-report --all-views); stopped, they
    // catch up at once.
    connect(c, &TrainingController::stateChanged, this, [](RunState state) {
        LatestTask::setCpuShare(state == RunState::Running ? kViewShareWhileTraining : 1.0);
    });
    connect(c, &TrainingController::busy, m_controls, &ControlBar::setBusy);
    connect(c, &TrainingController::errorOccurred, this, &MainWindow::reportError);
    connect(m_controls->trainAction(), &QAction::triggered, c, &TrainingController::train);
    connect(m_controls->pauseAction(), &QAction::triggered, c, &TrainingController::togglePause);
    connect(m_controls->stepEpochAction(), &QAction::triggered, c, &TrainingController::stepEpoch);
    connect(m_controls->stepBatchAction(), &QAction::triggered, c, &TrainingController::stepBatch);
    connect(m_controls->resetAction(), &QAction::triggered, this,
            [this] { applyConfig(m_panel->config(), tr("Reset"), tr("Reset to new weights")); });
}

void MainWindow::connectPanel() {
    connect(m_panel, &SettingsPanel::learningRateEdited, m_controller, &TrainingController::setLearningRate);
    connect(m_panel, &SettingsPanel::betaEdited, m_controller, &TrainingController::setBeta);
    connect(m_panel, &SettingsPanel::epochsEdited, m_controller, &TrainingController::setEpochs);
    connect(m_panel, &SettingsPanel::trainingOptionsEdited, this, [this] {
        const app::RunConfig c = m_panel->config();
        m_controller->setTrainingOptions(c.training.batchSize, c.training.threads, c.training.seed);
    });
    connect(m_panel, &SettingsPanel::architectureEdited, this,
            [this](const QString& action, const QString& what) { applyConfig(m_panel->config(), action, what); });
    connect(m_panel, &SettingsPanel::browseDatasetRequested, this, [this] {
        const QString path = m_dialogs->openFileName(this, tr("Open a dataset"), m_documents->lastFolder(),
                                                     tr("Data (*.csv *idx3-ubyte *idx3-ubyte.gz);;All files (*)"));
        m_documents->rememberFolder(path);
        if (!path.isEmpty()) m_panel->setDatasetFile(path);
    });
}

bool MainWindow::hasUnsavedTraining() const {
    const long long steps = m_controller->stepsDone();
    return steps > 0 && steps != m_controller->savedSteps();
}

QString MainWindow::trainingDoneText() const {
    const SnapshotPtr s = m_controller->latest();
    const int epochs = s ? s->progress.epoch : 0;
    // Inside the first epoch (Step batch, or a NaN stop, which restarts the epoch) the
    // optimiser steps say how much training there is: never "0 epochs".
    const long long batches = epochs > 0 ? s->progress.batch : m_controller->stepsDone();
    // No translation is loaded, so "%n epoch(s)" would stay as written: plurals by hand.
    const QString e = epochs == 1 ? tr("1 epoch") : tr("%1 epochs").arg(epochs);
    const QString b = batches == 1 ? tr("1 batch") : tr("%1 batches").arg(batches);
    if (epochs > 0 && batches > 0) return tr("%1 and %2").arg(e, b);
    return epochs > 0 ? e : b;
}

bool MainWindow::confirmReplacement(const QString& title, const QString& button, const QString& what) {
    const bool running = m_controller->state() == RunState::Running;
    if (running) m_controller->pause();
    const bool go =
        !hasUnsavedTraining() ||
        m_dialogs->confirm(this, title,
                           tr("%1, discarding the current model?\n\nIts training (%2) has not been saved.")
                               .arg(what, trainingDoneText()),
                           button);
    if (go)
        m_resumeIfRejected = running;
    else if (running)
        m_controller->train();
    return go;
}

void MainWindow::applyConfig(const app::RunConfig& config, const QString& action, const QString& what) {
    const QString verb = action.isEmpty() ? tr("Start a new model") : action;
    if (!confirmReplacement(verb, verb, what.isEmpty() ? verb : what)) {
        // Keep the model: show its settings again.
        if (m_controller->hasSession()) m_panel->setConfig(m_controller->session().config);
        return;
    }
    resetTo(config);
}

void MainWindow::resetTo(const app::RunConfig& config) {
    m_controller->pause();
    m_controller->startSession(config);
}

void MainWindow::reportError(const QString& title, const QString& message) {
    statusBar()->showMessage(title + ": " + message.section('\n', 0, 0), 10000);
    m_dialogs->error(this, title, message);
    emit errorShown(title, message);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!m_closing && hasUnsavedTraining()) {
        m_controller->pause();
        const Dialogs::SaveChoice choice =
            m_dialogs->askToSave(this, tr("The model has trained since it was last saved. Save it before closing?"));
        if (choice == Dialogs::SaveChoice::Cancel || (choice == Dialogs::SaveChoice::Save && !m_documents->saveNow())) {
            event->ignore();
            return;
        }
    }
    m_closing = true;
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    // Stops the trainer within a batch and joins the thread before the window goes.
    m_controller->shutdown();
    event->accept();
}

} // namespace latentlab::gui

