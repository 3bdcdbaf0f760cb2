// PCA beside the model: the data's plane under its first two principal components, drawn
// as the CLI's `plot --kind pca` draws it, and a table of the figures `eval` prints for
// both, PCA with as many components as the latent space: reconstruction error,
// trustworthiness, k-NN accuracy of the codes (class labels), R^2 of a linear fit of the
// label (continuous labels). It follows the training like the other views: each new model
// is evaluated on a pool thread, only while the view shows, an older request dropped.
#pragma once

#include "Evaluation.h"
#include "views/LatestTask.h"
#include "views/ModelView.h"

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
    void setModel(std::shared_ptr<const Model> model) override;
    void setActive(bool active) override;

    const std::optional<app::EvaluationResult>& shownFigures() const { return m_figures; }
    const Matrix& shownPlane() const { return m_plane; }
    // The model the shown figures are of.
    const std::shared_ptr<const Model>& shownModel() const { return m_shownModel; }
    QString table() const; // the figures as shown
    bool busy() const { return m_task.busy(); }

signals:
    void evaluated();

private:
    void show(const app::EvaluationResult& figures, const Matrix& plane, const QString& error,
              const std::shared_ptr<const Model>& model);

    PainterView* m_planeView;
    QLabel* m_table;
    std::shared_ptr<const data::Dataset> m_dataset;
    // The session's data-only figures, computed by the first evaluation; only the pool
    // thread touches it (one evaluation at a time), a new session brings a new one.
    std::shared_ptr<app::EvaluationCache> m_cache;
    std::optional<app::EvaluationResult> m_figures;
    std::shared_ptr<const Model> m_shownModel;
    Matrix m_plane;
    LatestTask m_task{this}; // last: it waits for its thread before the rest goes
};

} // namespace latentlab::gui
