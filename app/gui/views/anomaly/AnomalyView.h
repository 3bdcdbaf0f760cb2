// Anomaly detection by reconstruction error: one class is the anomaly (by default the one
// the run left out of training), every test sample's error its score. The view shows the
// histograms of the errors of normal and anomalous test samples with the threshold, the ROC
// curve and its AUC, precision and recall at the threshold (a slider over the quantiles of
// the normal training errors), and the worst-reconstructed test samples. It follows the
// training: each new model is scored on a pool thread (one at a time, on the published
// clone), only while the view is visible, and a result for an older model is dropped.
#pragma once

#include "AnomalyReport.h"
#include "training/Snapshot.h"

#include "latentlab/Model.h"

#include <QThreadPool>
#include <QWidget>
#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QSlider;

namespace latentlab::gui {

class ImageView;
class PainterView;

class AnomalyView : public QWidget {
    Q_OBJECT

public:
    explicit AnomalyView(QWidget* parent = nullptr);
    ~AnomalyView() override; // waits for a scoring still running

    void setSession(const SessionInfo& info);
    void setModel(std::shared_ptr<const Model> model);
    // Whether the view shows (its dock's tab is the current one): it computes only then.
    void setActive(bool active);

    QComboBox* classBox() const { return m_class; }
    QSlider* thresholdSlider() const { return m_threshold; }
    // The report shown (empty before the first), and the threshold the slider gives.
    const std::optional<app::AnomalyReport>& shownReport() const { return m_report; }
    double threshold() const;
    QString verdict() const; // the precision and recall line
    bool busy() const { return m_running; }

signals:
    void scored();

private:
    void request();
    void startPending();
    void show(int generation, std::optional<app::AnomalyReport> report, const QString& error);
    void showThreshold();

    QComboBox* m_class;
    QSlider* m_threshold;
    QLabel* m_verdict;
    PainterView* m_histograms;
    PainterView* m_roc;
    ImageView* m_worst;
    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const Model> m_model;
    int m_leftOut = -1;
    int m_generation = 0;
    bool m_running = false, m_pending = false, m_active = false;
    QThreadPool m_pool;
    std::optional<app::AnomalyReport> m_report;
};

} // namespace latentlab::gui
