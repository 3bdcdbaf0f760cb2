// PCA beside the model: the data's plane under its first two principal components, drawn
// as the CLI's `plot --kind pca` draws it, and a table of the figures `eval` prints for
// both, PCA with as many components as the latent space: reconstruction error,
// trustworthiness, k-NN accuracy of the codes (class labels), R^2 of a linear fit of the
// label (continuous labels). It follows the training like the other views: each new model
// is evaluated on a pool thread, only while the view shows, an older request dropped; while
// training runs, on an evenly spaced subset of the data (PreviewData), and on every sample
// once it pauses or ends.
#pragma once

#include "Evaluation.h"
#include "views/LatestTask.h"
#include "views/ModelView.h"
#include "views/PreviewData.h"

#include "latentlab/Model.h"

#include <QWidget>
#include <memory>
#include <optional>

class QLabel;

namespace latentlab::gui {

class PainterView;

class PcaView : public QWidget, public ModelView {
    Q_OBJECT

public:
    explicit PcaView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info) override;
    void snapshotArrived(const TrainingSnapshot& snapshot) override;
    void setModel(std::shared_ptr<const Model> model) override;
    void setActive(bool active) override;
    // For tests: the subset's size while training (from the next session on).
    void setPreviewLimits(int64_t trainRows, int64_t testRows) { m_data.setLimits(trainRows, testRows); }

    const std::optional<app::EvaluationResult>& shownFigures() const { return m_figures; }
    const Matrix& shownPlane() const;
    // The data the shown figures and plane are of: the session's, or its subset.
    const std::shared_ptr<const data::Dataset>& shownData() const { return m_shownData; }
    // The model the shown figures are of.
    const std::shared_ptr<const Model>& shownModel() const { return m_shownModel; }
    QString table() const; // the figures as shown
    bool busy() const { return m_task.busy(); }

signals:
    void evaluated();

private:
    void evaluateLatest();
    void show(const app::EvaluationResult& figures, const std::shared_ptr<const Matrix>& plane, const QString& error,
              const std::shared_ptr<const Model>& model, const std::shared_ptr<const data::Dataset>& set);

    PainterView* m_planeView;
    QLabel* m_table;
    PreviewData m_data;
    // What depends on the data alone (and the normaliser, fixed for a session): the figures
    // of PCA and the trustworthiness distances, and the PCA plane. One for the session's data
    // and one for its subset, each filled by its first evaluation; only the pool thread
    // touches them (one evaluation at a time), a new session brings new ones.
    struct DataCache {
        app::EvaluationCache figures;
        std::shared_ptr<const Matrix> plane;
    };
    std::shared_ptr<DataCache> m_cache, m_previewCache;
    std::shared_ptr<const Model> m_model; // the newest
    std::optional<app::EvaluationResult> m_figures;
    std::shared_ptr<const Model> m_shownModel;
    std::shared_ptr<const data::Dataset> m_shownData;
    std::shared_ptr<const Matrix> m_plane;
    LatestTask m_task{this, "view PCA"}; // last: it waits for its thread before the rest goes
};

} // namespace latentlab::gui
