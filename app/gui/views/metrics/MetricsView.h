// The model's figures as it trains: reconstruction error, ELBO (VAE), k-NN accuracy and
// trustworthiness of the codes, R^2 of a continuous label, active units (VAE), measured on
// app::MetricsProbe (a fixed part of the data), drawn as curves over the epochs by the CLI's
// renderer (`plot --kind metrics`) above a table, newest first. Each new model is measured
// on the view's LatestTask while its tab shows, at most once per completed epoch (the first
// model published after the epoch ends); `latentlab-cli train --metrics` measures every epoch
// at its end.
#pragma once

#include "EpochMetrics.h"
#include "views/LatestTask.h"
#include "views/ModelView.h"

#include <QWidget>
#include <memory>
#include <vector>

class QLabel;
class QTableWidget;

namespace latentlab::gui {

class PainterView;

class MetricsView : public QWidget, public ModelView {
    Q_OBJECT

public:
    explicit MetricsView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info) override;
    // Remembers the progress of the snapshot's model, for the row it gets.
    void snapshotArrived(const TrainingSnapshot& snapshot) override;
    void setModel(std::shared_ptr<const Model> model) override;
    void setActive(bool active) override;

    const std::vector<app::EpochMetrics>& rows() const { return m_rows; } // oldest first
    QTableWidget* table() const { return m_table; }
    QString error() const; // why the last measurement failed; empty after one that did not
    bool busy() const { return m_task.busy(); }

signals:
    void measured();

private:
    void show(const app::EpochMetrics& row, std::shared_ptr<const app::MetricsProbe> probe, const QString& error);
    void showTable();

    PainterView* m_curves;
    QTableWidget* m_table;
    QLabel* m_error;
    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const app::MetricsProbe> m_probe; // built with the session's first model
    std::vector<app::EpochMetrics> m_rows;
    Progress m_progress;        // of the newest snapshot's model
    std::shared_ptr<const Model> m_model; // the newest model handed to the view
    int m_requestedEpoch = -1;  // completed epochs of the newest model asked for
    QString m_title;
    LatestTask m_task{this, "view metrics"}; // last: it waits for its thread before the rest goes
};

} // namespace latentlab::gui
