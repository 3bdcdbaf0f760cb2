#include "views/metrics/MetricsView.h"

#include "PlotRenderer.h"
#include "views/plots/PainterView.h"

#include "latentlab/Threads.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace latentlab::gui {

namespace {
QString figure(const std::optional<double>& v, int decimals) {
    return v ? QString::number(*v, 'f', decimals) : QString();
}
} // namespace

MetricsView::MetricsView(QWidget* parent)
    : QWidget(parent), m_curves(new PainterView), m_table(new QTableWidget), m_error(new QLabel) {
    m_error->setWordWrap(true);
    m_error->setStyleSheet("color: #b00020");
    m_error->hide();
    setToolTip(tr("The model's figures as it trains, on the first 1,000 test samples: reconstruction error, ELBO, "
                  "k-NN accuracy and trustworthiness of the codes, active units"));
    m_table->setObjectName("metricsTable");
    m_table->setColumnCount(7);
    m_table->setHorizontalHeaderLabels({tr("epoch"), tr("MSE"), tr("ELBO"), tr("k-NN"), tr("trust"), tr("R²"),
                                        tr("active units")});
    m_table->horizontalHeaderItem(1)->setToolTip(tr("Reconstruction MSE per feature, normalised units"));
    m_table->horizontalHeaderItem(2)->setToolTip(tr("VAE: −(reconstruction + KL) per sample, β = 1"));
    m_table->horizontalHeaderItem(3)->setToolTip(tr("k-NN accuracy (k = 5) of the codes, the first 2,000 "
                                                    "training codes voting"));
    m_table->horizontalHeaderItem(4)->setToolTip(tr("Trustworthiness (k = 10) of the codes"));
    m_table->horizontalHeaderItem(5)->setToolTip(tr("R² of a linear fit of the label from the codes"));
    m_table->horizontalHeaderItem(6)->setToolTip(tr("VAE: latent units whose mean code varies over the data "
                                                    "(variance > 0.01)"));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_curves);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_error);
    layout->addWidget(split);
    m_task.setEnabled(false); // until its tab shows
    // At most one measurement per epoch on a probe of 1,000 samples: no share to keep to.
    m_task.setShareLimited(false);
}

void MetricsView::setSession(const SessionInfo& info) {
    m_task.cancel(); // anything still measuring is for the old model
    m_dataset = info.dataset;
    m_probe.reset();
    m_model.reset();
    m_rows.clear();
    m_progress = Progress();
    m_requestedEpoch = -1;
    m_title = tr("Metrics: %1").arg(info.dataset ? QString::fromStdString(info.dataset->name) : QString());
    m_curves->setPainter({});
    m_error->clear();
    m_error->hide();
    showTable();
}

void MetricsView::snapshotArrived(const TrainingSnapshot& snapshot) {
    if (!snapshot.decoder) return;
    m_progress = snapshot.progress;
    // A clone published in an epoch's last batch carries the count from before the epoch
    // ended. The snapshot at the epoch's end brings that same model with the new count,
    // and the window hands an unchanged model to no view again: measure it here.
    if (snapshot.decoder == m_model && m_progress.epoch != m_requestedEpoch) setModel(m_model);
}

void MetricsView::setModel(std::shared_ptr<const Model> model) {
    m_model = model;
    if (!model || !m_dataset) return;
    // One row per completed epoch: a model from the same epoch as the last one asked for
    // waits for the next epoch (a finished run's last model has its own epoch count).
    if (m_progress.epoch == m_requestedEpoch) return;
    m_requestedEpoch = m_progress.epoch;
    const Progress at = m_progress;
    const double epoch = at.batchesPerEpoch > 0 ? at.epoch + double(at.batch) / double(at.batchesPerEpoch) : at.epoch;
    m_task.request([this, model = std::move(model), data = m_dataset, probe = m_probe, epoch,
                    steps = at.steps]() mutable -> LatestTask::Delivery {
        app::EpochMetrics row;
        QString error;
        try {
            const SingleThreaded onThisThread;
            // The probe is in the model's normalised units, fixed for a session.
            if (!probe) probe = app::makeMetricsProbe(data, model->normalizer());
            row = app::measureEpoch(*model, *probe, epoch, steps);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        return [this, row, probe, error] { show(row, probe, error); };
    });
}

void MetricsView::setActive(bool active) { m_task.setEnabled(active); }

void MetricsView::show(const app::EpochMetrics& row, std::shared_ptr<const app::MetricsProbe> probe,
                       const QString& error) {
    m_error->setText(error.isEmpty() ? QString() : tr("Could not measure this model: %1").arg(error));
    m_error->setVisible(!error.isEmpty());
    if (!error.isEmpty()) {
        emit measured();
        return;
    }
    if (!m_probe) m_probe = std::move(probe);
    m_rows.push_back(row);
    m_curves->setPainter([rows = m_rows, title = m_title](QPainter& p, const QRectF& area) {
        app::paintMetrics(p, area, rows, title);
    });
    showTable();
    emit measured();
}

QString MetricsView::error() const { return m_error->text(); }

void MetricsView::showTable() {
    m_table->setRowCount(int(m_rows.size()));
    bool has[7] = {true, true, false, false, false, false, false};
    for (size_t i = 0; i < m_rows.size(); ++i) {
        const app::EpochMetrics& m = m_rows[m_rows.size() - 1 - i]; // newest first
        const QStringList cells{QString::number(m.epoch, 'f', m.epoch == std::floor(m.epoch) ? 0 : 2),
                                QString::number(m.msePerFeature, 'g', 4),
                                figure(m.elbo, 2),
                                figure(m.knnAccuracy, 3),
                                figure(m.trustworthiness, 3),
                                figure(m.labelR2, 3),
                                m.activeUnits ? tr("%1 of %2").arg(*m.activeUnits).arg(m.latentDim) : QString()};
        for (int c = 0; c < cells.size(); ++c) {
            has[c] = has[c] || !cells[c].isEmpty();
            auto* item = new QTableWidgetItem(cells[c]);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(int(i), c, item);
        }
    }
    // Columns this model and data have no figure for stay hidden (no ELBO for an autoencoder).
    for (int c = 0; c < 7; ++c) m_table->setColumnHidden(c, !has[c]);
}

} // namespace latentlab::gui
