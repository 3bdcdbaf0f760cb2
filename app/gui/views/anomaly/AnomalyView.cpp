#include "views/anomaly/AnomalyView.h"

#include "PlotRenderer.h"
#include "views/plots/PainterView.h"
#include "views/output/ImageView.h"

#include "latentlab/Threads.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>

namespace latentlab::gui {

namespace {
constexpr int kWorst = 24;      // the gallery of the worst-reconstructed test samples
constexpr int kWorstColumns = 8;
} // namespace

AnomalyView::AnomalyView(QWidget* parent)
    : QWidget(parent), m_class(new QComboBox), m_threshold(new QSlider(Qt::Horizontal)), m_verdict(new QLabel),
      m_histograms(new PainterView), m_roc(new PainterView), m_worst(new ImageView) {
    setToolTip(tr("Anomaly detection: a model trained without one class (Leave out class, in the settings) "
                  "reconstructs it worse. Each test sample's reconstruction error is its score; the samples "
                  "above the threshold are flagged."));
    m_class->setObjectName("anomalyClass");
    m_class->setToolTip(tr("The class that counts as the anomaly; the others are normal"));
    m_threshold->setObjectName("anomalyThreshold");
    m_threshold->setRange(500, 1000); // per mille: the quantile of the normal training errors
    m_threshold->setValue(950);
    m_threshold->setToolTip(tr("The threshold, as a quantile of the reconstruction errors of normal training "
                               "samples: at 95 % one normal sample in twenty is flagged"));
    m_verdict->setObjectName("anomalyVerdict");
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verdict->setWordWrap(true);
    m_class->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_worst->setToolTip(tr("The test samples reconstructed worst, worst first"));
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(new QLabel(tr("Anomaly class")));
    bar->addWidget(m_class);
    bar->addWidget(new QLabel(tr("Threshold")));
    bar->addWidget(m_threshold, 1);
    auto* plots = new QSplitter(Qt::Horizontal);
    plots->addWidget(m_histograms);
    plots->addWidget(m_roc);
    plots->setStretchFactor(0, 3);
    plots->setStretchFactor(1, 2);
    auto* all = new QSplitter(Qt::Vertical);
    all->addWidget(plots);
    all->addWidget(m_worst);
    all->setStretchFactor(0, 3);
    all->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_verdict);
    layout->addWidget(all, 1);
    m_task.setEnabled(false); // until its tab shows
    connect(m_class, qOverload<int>(&QComboBox::activated), this, [this] { request(); });
    connect(m_threshold, &QSlider::valueChanged, this, [this] { showThreshold(); });
}

void AnomalyView::setSession(const SessionInfo& info) {
    m_data.setDataset(info.dataset);
    m_model.reset();
    m_report.reset();
    m_reportData.reset();
    m_task.cancel(); // anything still scoring is for the old model
    m_leftOut = info.config.dataset.holdOutClass;
    m_class->clear();
    const data::Dataset* d = info.dataset.get();
    const bool usable = d && d->labelKind == data::LabelKind::Class && d->trainRows > 0 && d->trainRows < d->rows;
    if (usable) {
        int classes = 0;
        for (float l : d->labels) classes = std::max(classes, int(std::lround(l)) + 1);
        for (int c = 0; c < classes; ++c) {
            const QString name = size_t(c) < d->classNames.size() ? QString::fromStdString(d->classNames[size_t(c)])
                                                                  : QString::number(c);
            m_class->addItem(c == m_leftOut ? tr("%1 (left out of training)").arg(name) : name, c);
        }
        m_class->setCurrentIndex(std::max(0, m_class->findData(m_leftOut)));
    }
    m_class->setEnabled(usable);
    m_threshold->setEnabled(usable);
    m_verdict->setText(usable ? (m_leftOut >= 0 ? tr("Scored once the model is ready")
                                                : tr("This model learns every class. For a fair test, choose a class "
                                                     "under Leave out class in the settings and train again."))
                              : tr("Anomaly detection needs class labels and a test part: MNIST, Fashion-MNIST, "
                                   "moons, circles, blobs, or a labelled CSV file."));
    m_histograms->setPainter({});
    m_roc->setPainter({});
    m_worst->setImage({});
    m_worst->setCaption(QString());
}

void AnomalyView::snapshotArrived(const TrainingSnapshot& s) {
    if (m_data.askAgain(s, m_model)) request(); // on every sample
}

void AnomalyView::setModel(std::shared_ptr<const Model> model) {
    m_model = std::move(model);
    request();
}

void AnomalyView::setActive(bool active) { m_task.setEnabled(active); }

void AnomalyView::request() {
    if (!m_model || !m_data.full() || !m_class->isEnabled()) return;
    const int cls = m_class->currentData().toInt();
    // The model is an immutable published clone and the data a shared constant; the pool
    // thread only reads them.
    m_task.request([this, cls, leftOut = m_leftOut == cls, model = m_model, sets = m_data.sets()]() -> LatestTask::Delivery {
        const std::shared_ptr<const data::Dataset>& set = sets.forWork();
        std::optional<app::AnomalyReport> report;
        QString error;
        try {
            const SingleThreaded onThisThread;
            // Work begun before training ends at a chunk's border once it starts.
            report = app::anomalyReport(*model, *set, cls, leftOut, 0.95, LatestTask::checkpoint);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        return [this, report = std::move(report), error, set] { show(report, error, set); };
    });
}

void AnomalyView::show(std::optional<app::AnomalyReport> report, const QString& error,
                       const std::shared_ptr<const data::Dataset>& set) {
    m_report = std::move(report);
    m_reportData = m_report ? set : nullptr;
    if (!m_report) {
        m_verdict->setText(error);
        m_histograms->setPainter({});
        m_roc->setPainter({});
    } else if (set->isImage()) {
        const std::vector<Index> rows = m_report->worstRows(kWorst);
        Matrix images(set->cols, Index(rows.size()));
        for (size_t i = 0; i < rows.size(); ++i)
            for (Index f = 0; f < set->cols; ++f) images(f, Index(i)) = set->value(rows[i], f);
        m_worst->setImage(app::imageGrid(images, set->imageWidth, set->imageHeight, kWorstColumns, 1));
        m_worst->setCaption(tr("The %1 test samples reconstructed worst").arg(rows.size()));
    }
    if (m_report) showThreshold();
    emit scored();
}

double AnomalyView::threshold() const {
    if (!m_report) return 0;
    return quantile(m_report->trainingScores, m_threshold->value() / 1000.0);
}

QString AnomalyView::verdict() const { return m_verdict->text(); }

void AnomalyView::showThreshold() {
    if (!m_report) return;
    const app::AnomalyReport& r = *m_report;
    const double t = threshold();
    const Confusion c = r.confusion(t);
    m_verdict->setText(tr("Threshold %1 (%2 % of normal training errors lie below): %3 flagged, precision %4, "
                          "recall %5. ROC AUC %6.")
                           .arg(t, 0, 'g', 4)
                           .arg(m_threshold->value() / 10.0, 0, 'f', 1)
                           .arg(c.truePositives + c.falsePositives)
                           .arg(c.precision(), 0, 'f', 3)
                           .arg(c.recall(), 0, 'f', 3)
                           .arg(r.roc.auc, 0, 'f', 3) +
                       (m_data.explain(m_reportData.get()).isEmpty() ? QString() : " " + m_data.explain(m_reportData.get())));
    const QString name = tr("class %1").arg(r.className);
    m_histograms->setPainter([normal = r.normalScores(), anomalies = r.anomalyScores(), t, name](QPainter& p,
                                                                                                const QRectF& area) {
        app::paintErrorHistograms(p, area, normal, anomalies, t, name, QObject::tr("Reconstruction errors, test part"));
    });
    m_roc->setPainter([roc = r.roc, fpr = c.falsePositiveRate(), tpr = c.recall(), name](QPainter& p, const QRectF& area) {
        app::paintRoc(p, area, roc, fpr, tpr, QObject::tr("ROC, %1 as the anomaly").arg(name));
    });
}

} // namespace latentlab::gui
