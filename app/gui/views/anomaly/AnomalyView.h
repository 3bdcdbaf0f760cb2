// Anomaly detection by reconstruction error: one class is the anomaly (by default the one
// the run left out of training), every test sample's error its score. The view shows the
// histograms of the errors of normal and anomalous test samples with the threshold, the ROC
// curve and its AUC, precision and recall at the threshold (a slider over the quantiles of
// the normal training errors), and the worst-reconstructed test samples. It follows the
// training: each new model is scored on a pool thread (one at a time, on the published
// clone), only while the view is visible, and a result for an older model is dropped; while
// training runs, on an evenly spaced subset of the data (PreviewData), and on every sample
// once it pauses or ends.
#pragma once

#include "AnomalyReport.h"
#include "views/LatestTask.h"
#include "views/ModelView.h"
#include "views/PreviewData.h"

#include "latentlab/Model.h"

#include <QWidget>
#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QSlider;

namespace latentlab::gui {

class ImageView;
class PainterView;

class AnomalyView : public QWidget, public ModelView {
    Q_OBJECT

public:
    explicit AnomalyView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info) override;
    void snapshotArrived(const TrainingSnapshot& snapshot) override;
    void setModel(std::shared_ptr<const Model> model) override;
    void setActive(bool active) override;
    // For tests: the subset's size while training (from the next session on).
    void setPreviewLimits(int64_t trainRows, int64_t testRows) { m_data.setLimits(trainRows, testRows); }

    QComboBox* classBox() const { return m_class; }
    QSlider* thresholdSlider() const { return m_threshold; }
    // The report shown (empty before the first), and the threshold the slider gives.
    const std::optional<app::AnomalyReport>& shownReport() const { return m_report; }
    // The data its rows are rows of: the session's, or its subset.
    const std::shared_ptr<const data::Dataset>& shownData() const { return m_reportData; }
    double threshold() const;
    QString verdict() const; // the precision and recall line
    bool busy() const { return m_task.busy(); }

signals:
    void scored();

private:
    void request();
    void show(std::optional<app::AnomalyReport> report, const QString& error,
              const std::shared_ptr<const data::Dataset>& set);
    void showThreshold();

    QComboBox* m_class;
    QSlider* m_threshold;
    QLabel* m_verdict;
    PainterView* m_histograms;
    PainterView* m_roc;
    ImageView* m_worst;
    PreviewData m_data;
    std::shared_ptr<const Model> m_model;
    int m_leftOut = -1;
    std::optional<app::AnomalyReport> m_report;
    std::shared_ptr<const data::Dataset> m_reportData;
    LatestTask m_task{this, "view anomalies"}; // last: it waits for its thread before the rest goes
};

} // namespace latentlab::gui
