#include "views/pca/PcaView.h"

#include "PlotRenderer.h"
#include "views/plots/PainterView.h"

#include "latentlab/Threads.h"

#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

namespace latentlab::gui {

namespace {
QString figure(const std::optional<double>& v) { return v ? QString::number(*v, 'f', 3) : QStringLiteral("–"); }
} // namespace

PcaView::PcaView(QWidget* parent) : QWidget(parent), m_planeView(new PainterView), m_table(new QLabel) {
    setToolTip(tr("PCA, the linear baseline: the same data on its first two principal components, and the "
                  "figures of PCA with as many components as the latent space beside the model's"));
    m_table->setObjectName("pcaFigures");
    m_table->setTextFormat(Qt::RichText);
    m_table->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setWordWrap(true);
    m_table->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_planeView);
    split->addWidget(m_table);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    m_task.setEnabled(false); // until its tab shows
}

void PcaView::setSession(const SessionInfo& info) {
    m_data.setDataset(info.dataset);
    m_cache = std::make_shared<DataCache>();
    m_previewCache = std::make_shared<DataCache>();
    m_model.reset();
    m_figures.reset();
    m_shownModel.reset();
    m_shownData.reset();
    m_plane.reset();
    m_task.cancel(); // anything still evaluating is for the old model
    m_planeView->setPainter({});
    m_table->setText(tr("Evaluated once the model is ready"));
}

void PcaView::snapshotArrived(const TrainingSnapshot& s) {
    if (m_data.askAgain(s, m_model)) evaluateLatest(); // on every sample
}

void PcaView::setModel(std::shared_ptr<const Model> model) {
    m_model = std::move(model);
    evaluateLatest();
}

void PcaView::evaluateLatest() {
    if (!m_model || !m_data.full()) return;
    m_task.request([this, model = m_model, sets = m_data.sets(), fullCache = m_cache,
                    previewCache = m_previewCache]() -> LatestTask::Delivery {
        const std::shared_ptr<const data::Dataset>& set = sets.forWork();
        const bool all = set == sets.full;
        const std::shared_ptr<DataCache>& cache = all ? fullCache : previewCache;
        const Index trust = all ? app::kMaxTrustSamples : PreviewData::kTrustSamples;
        app::EvaluationResult figures;
        std::shared_ptr<const Matrix> plane;
        QString error;
        try {
            const SingleThreaded onThisThread;
            figures = app::evaluate(*model, *set, 1, &cache->figures, trust, &LatestTask::checkpoint);
            LatestTask::checkpoint();
            if (!cache->plane) cache->plane = std::make_shared<const Matrix>(app::pcaPlane(*model, *set));
            plane = cache->plane;
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        return [this, figures, plane, error, model, set] { show(figures, plane, error, model, set); };
    });
}

void PcaView::setActive(bool active) { m_task.setEnabled(active); }

void PcaView::show(const app::EvaluationResult& r, const std::shared_ptr<const Matrix>& plane, const QString& error,
                   const std::shared_ptr<const Model>& model, const std::shared_ptr<const data::Dataset>& set) {
    if (!error.isEmpty()) {
        m_figures.reset();
        m_table->setText(error.toHtmlEscaped());
    } else {
        m_figures = r;
        m_shownModel = model;
        m_shownData = set;
        if (plane != m_plane) {
            m_plane = plane;
            app::ScatterData s = app::latentScatter(*m_plane, *set, tr("PCA of %1").arg(QString::fromStdString(set->name)));
            s.xLabel = "PC1";
            s.yLabel = m_plane->rows() > 1 ? "PC2" : s.yLabel;
            m_planeView->setPainter([s](QPainter& p, const QRectF& area) { app::paintScatter(p, area, s); });
        }
        const QString kind = model && model->kind() == ModelKind::Vae ? tr("VAE") : tr("autoencoder");
        QString rows = tr("<tr><td>reconstruction MSE per feature (%1)</td><td>%2</td><td>%3</td></tr>")
                           .arg(r.split == "test" ? tr("test part") : tr("all samples"))
                           .arg(r.pca.msePerFeature, 0, 'f', 4)
                           .arg(r.model.msePerFeature, 0, 'f', 4);
        rows += tr("<tr><td>trustworthiness (k = 10)</td><td>%1</td><td>%2</td></tr>")
                    .arg(figure(r.pca.trustworthiness), figure(r.model.trustworthiness));
        if (r.model.knnAccuracy)
            rows += tr("<tr><td>k-NN accuracy of the codes (k = 5)</td><td>%1</td><td>%2</td></tr>")
                        .arg(figure(r.pca.knnAccuracy), figure(r.model.knnAccuracy));
        if (r.model.labelR2)
            rows += tr("<tr><td>R² of a linear fit of the %1</td><td>%2</td><td>%3</td></tr>")
                        .arg(QString::fromStdString(set->labelName).toHtmlEscaped(), figure(r.pca.labelR2),
                             figure(r.model.labelR2));
        const QString preview = m_data.explain(set.get());
        m_table->setText(tr("<table cellspacing=4><tr><th></th><th>PCA</th><th>%1</th></tr>%2</table>%3")
                             .arg(kind, rows, preview.isEmpty() ? QString() : "<p><i>" + preview.toHtmlEscaped() + "</i></p>"));
    }
    emit evaluated();
}

const Matrix& PcaView::shownPlane() const {
    static const Matrix none;
    return m_plane ? *m_plane : none;
}

QString PcaView::table() const { return m_table->text(); }

} // namespace latentlab::gui
