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
    m_dataset = info.dataset;
    m_cache = std::make_shared<app::EvaluationCache>();
    m_figures.reset();
    m_shownModel.reset();
    m_plane.resize(0, 0);
    m_task.cancel(); // anything still evaluating is for the old model
    m_planeView->setPainter({});
    m_table->setText(tr("Evaluated once the model is ready"));
}

void PcaView::setModel(std::shared_ptr<const Model> model) {
    if (!model || !m_dataset) return;
    // The plane depends on the data and the normaliser only, both fixed for a session.
    const bool needPlane = m_plane.cols() == 0;
    m_task.request([this, needPlane, model = std::move(model), data = m_dataset,
                    cache = m_cache]() -> LatestTask::Delivery {
        app::EvaluationResult figures;
        Matrix plane;
        QString error;
        try {
            const SingleThreaded onThisThread;
            figures = app::evaluate(*model, *data, 1, cache.get());
            if (needPlane) plane = app::pcaPlane(*model, *data);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        return [this, figures, plane, error, model] { show(figures, plane, error, model); };
    });
}

void PcaView::setActive(bool active) { m_task.setEnabled(active); }

void PcaView::show(const app::EvaluationResult& r, const Matrix& plane, const QString& error,
                   const std::shared_ptr<const Model>& model) {
    if (!error.isEmpty()) {
        m_figures.reset();
        m_table->setText(error.toHtmlEscaped());
    } else {
        m_figures = r;
        m_shownModel = model;
        if (plane.cols() > 0) {
            m_plane = plane;
            app::ScatterData s = app::latentScatter(m_plane, *m_dataset, tr("PCA of %1").arg(QString::fromStdString(m_dataset->name)));
            s.xLabel = "PC1";
            s.yLabel = m_plane.rows() > 1 ? "PC2" : s.yLabel;
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
                        .arg(QString::fromStdString(m_dataset->labelName).toHtmlEscaped(), figure(r.pca.labelR2),
                             figure(r.model.labelR2));
        m_table->setText(tr("<table cellspacing=4><tr><th></th><th>PCA</th><th>%1</th></tr>%2</table>")
                             .arg(kind, rows));
    }
    emit evaluated();
}

QString PcaView::table() const { return m_table->text(); }

} // namespace latentlab::gui
