// How the window follows the training: a new session, each snapshot (the plane, the views,
// the loss, the decoded point and the prior samples), and the view state saved with a
// model. MainWindow.cpp builds the window and answers its commands.
#include "MainWindow.h"

#include "panels/ControlBar.h"
#include "panels/SettingsPanel.h"
#include "training/Decoding.h"
#include "training/TrainingController.h"
#include "views/interpolation/InterpolationView.h"
#include "views/latent/LatentPlot.h"
#include "views/latent/LatentView.h"
#include "views/output/DecoderView.h"
#include "views/output/ReconstructionStrip.h"
#include "views/output/SampleGallery.h"
#include "views/plots/LossPlot.h"

#include <QCheckBox>
#include <QDockWidget>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QStatusBar>

namespace latentlab::gui {

void MainWindow::onSession(const SessionInfo& info) {
    m_resumeIfRejected = false;
    // An error about the session this one replaces is old news now.
    statusBar()->clearMessage();
    m_decodedWith.reset();
    m_galleryDecodedWith.reset();
    m_panel->setConfig(info.config);
    m_panel->setThreadsInUse(info.threads);
    m_latent->setSession(info);
    m_decoder->setSession(info);
    m_gallery->setSession(info);
    for (ModelView* view : m_views) view->setSession(info);
    m_latent->plot()->setGridExtent(QRectF());
    m_recon->setSession(info);
    m_loss->reset(info.config.model.kind, LossPlot::penaltyName(info.config.model), info.config.training.epochs);
    m_objective->setText(LossPlot::objectiveText(info.config.model, nullptr));
    if (!info.proposal.isEmpty()) statusBar()->showMessage(info.proposal, 30000);
    if (!info.notice.isEmpty()) statusBar()->showMessage(info.notice, 30000);
    m_pendingPick.reset();
    if (!info.viewState.isEmpty()) applyViewState(QJsonDocument::fromJson(info.viewState.toUtf8()).object());
    const data::Dataset& d = *info.dataset;
    const QString arch = app::architecture(info.config.model, d.cols);
    const QString kind = info.config.model.kind == ModelKind::Vae ? tr("VAE") : tr("autoencoder");
    const QString what = info.modelFile.isEmpty() ? info.config.name : info.modelFile;
    // Qt adds " — Latent Lab" (the application's display name) to a window's title itself.
    setWindowTitle(tr("%1%2 %3 on %4 (%5 samples)")
                       .arg(what.isEmpty() ? QString() : what + " · ", kind, arch, QString::fromStdString(d.name))
                       .arg(d.rows));
}

void MainWindow::onSnapshot(const SnapshotPtr& s) {
    if (s->codes) {
        m_latent->plot()->setCodes(s->codes);
        m_latent->showCoverage(s->codes, s->state == RunState::Running);
    }
    for (ModelView* view : m_views) view->snapshotArrived(*s);
    if (m_pendingPick && s->decoder) {
        const QPointF p = *std::exchange(m_pendingPick, std::nullopt);
        decodeAt(p.x(), p.y());
    }
    m_loss->add(*s);
    if (!s->epochs.empty() && m_controller->hasSession())
        m_objective->setText(LossPlot::objectiveText(m_controller->session().config.model, &s->epochs.back()));
    m_recon->setReconstructions(s->reconstructions);
    m_controls->setProgress(s->progress);
    // While training, most snapshots bring only losses and progress; the decoder (and the
    // reconstructions) are the previous ones, a few times a second new ones.
    if (!s->decoder) return;
    if (s->decoder != m_decodedWith) {
        m_decodedWith = s->decoder;
        for (ModelView* view : m_views) view->setModel(s->decoder);
        // The decoder view starts at the origin of the latent plane; the point shown
        // follows the training: decoded again with the new weights.
        if (!m_decoder->hasPoint()) {
            m_latent->plot()->setPicked(0, 0);
            decodeAt(0, 0);
        } else {
            m_decoder->showDecoded(m_decoder->lastCode(), decodeToData(*s->decoder, m_decoder->lastCode()));
        }
    }
    // A VAE's prior samples follow too. Decoding the gallery (64 samples by default, one
    // block) is GUI thread work: while training, once a second is enough to watch it
    // change; paused or finished, it shows the newest weights at once.
    if (s->decoder->kind() != ModelKind::Vae || s->decoder == m_galleryDecodedWith) return;
    if (m_gallery->sampleCount() == 0) {
        samplePrior(m_latent->sampleCount());
    } else if (s->state != RunState::Running || !m_galleryDecoded.isValid() || m_galleryDecoded.hasExpired(1000)) {
        m_gallery->setSamples(decodeColumns(*s->decoder, m_latent->plot()->priorCodes()));
        m_galleryDecodedWith = s->decoder;
        m_galleryDecoded.start();
    }
}

QJsonObject MainWindow::viewState() const {
    QJsonObject o;
    const LatentPlot* plot = m_latent->plot();
    o["dims"] = QJsonArray{plot->dimX(), plot->dimY()};
    if (const auto p = plot->pickedPoint()) o["picked"] = QJsonArray{p->x(), p->y()};
    o["logScale"] = m_logScale->isChecked();
    // The tab shown beside the prior samples (or the prior samples themselves).
    QList<QDockWidget*> group = tabifiedDockWidgets(m_galleryDock);
    group.prepend(m_galleryDock);
    for (QDockWidget* dock : group)
        if (!dock->isFloating() && !dock->visibleRegion().isEmpty()) o["tab"] = dock->objectName();
    return o;
}

void MainWindow::applyViewState(const QJsonObject& o) {
    // Whatever does not fit this session (another latent size) is left as it is.
    const QJsonArray dims = o["dims"].toArray();
    const int latent = m_controller->session().config.model.latentDim;
    if (dims.size() == 2 && dims[0].toInt(-1) >= 0 && dims[0].toInt() < latent && dims[1].toInt(-2) >= -1 &&
        dims[1].toInt() < latent && dims[0].toInt() != dims[1].toInt())
        m_latent->setDims(dims[0].toInt(), dims[1].toInt());
    const QJsonArray picked = o["picked"].toArray();
    if (picked.size() == 2 && picked[0].isDouble() && picked[1].isDouble()) {
        m_latent->plot()->setPicked(picked[0].toDouble(), picked[1].toDouble());
        m_pendingPick = QPointF(picked[0].toDouble(), picked[1].toDouble());
    }
    if (o["logScale"].isBool()) m_logScale->setChecked(o["logScale"].toBool());
    if (auto* dock = findChild<QDockWidget*>(o["tab"].toString()); dock && !o["tab"].toString().isEmpty()) dock->raise();
}

void MainWindow::decodeAt(double x, double y) {
    const SnapshotPtr s = m_controller->latest();
    if (!s || !s->decoder) return;
    const Model& model = *s->decoder;
    // Dimensions that are not plotted stay at the prior's mean (VAE) or the codes' mean.
    Vector base = Vector::Zero(model.latentDim());
    const auto codes = m_controller->codes();
    if (model.kind() != ModelKind::Vae && codes && model.latentDim() > 2) base = meanCode(*codes);
    const LatentPlot* plot = m_latent->plot();
    const Vector z = planePoint(base, plot->dimX(), plot->dimY(), x, y);
    m_decoder->showDecoded(z, decodeToData(model, z));
    m_interpolation->setPickedCode(z); // for its "Start here" and "End here"
}

void MainWindow::samplePrior(int count) {
    const SnapshotPtr s = m_controller->latest();
    if (!s || !s->decoder || s->decoder->kind() != ModelKind::Vae) return;
    const Matrix z = latentlab::gui::samplePrior(s->decoder->latentDim(), count, m_sampleSeed++);
    m_gallery->setSamples(decodeColumns(*s->decoder, z));
    m_galleryDecodedWith = s->decoder;
    m_latent->plot()->setPriorSamples(z);
    if (m_galleryDock->isHidden()) m_galleryDock->show();
}

} // namespace latentlab::gui
