// The "Data & model" panel: every setting of a run, each with a tooltip saying what it
// does. Edits are sorted by what they need:
//   live          learning rate, beta, epochs: applied to the running trainer at once
//   trainer       batch size, seed, threads: a new trainer continues with the weights
//   architecture  dataset (with a CSV file's label column and header row), model kind,
//                 widths, latent size, activation, loss: a new model
#pragma once

#include "RunConfig.h"

#include <QWidget>


class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QLabel;

namespace latentlab::gui {

class DatasetFields;
class ScientificSpinBox;
class LayerListFields;

class SettingsPanel : public QWidget {
    Q_OBJECT

public:
    explicit SettingsPanel(QWidget* parent = nullptr);

    // Shows config without emitting edit signals.
    void setConfig(const app::RunConfig& config);
    // The shown settings on top of the last config set.
    app::RunConfig config() const;
    // Adds a file (CSV or IDX images) to the dataset list and selects it.
    void setDatasetFile(const QString& path);
    void setThreadsInUse(int threads);

    // For tests and the window: the widgets by role.
    QComboBox* datasetBox() const;
    // CSV files only (hidden otherwise): the label column (data: 0-based index, -1 none)
    // and the header mode (data: "auto", "yes", "no").
    QComboBox* labelColumnBox() const;
    QComboBox* headerBox() const;
    QSpinBox* holdOutBox() const { return m_holdOut; }
    QComboBox* kindBox() const { return m_kind; }
    QSpinBox* latentBox() const { return m_latent; }
    QDoubleSpinBox* geometryBox() const { return m_geometry; }
    QSpinBox* neighboursBox() const { return m_neighbours; }
    ScientificSpinBox* learningRateBox() const { return m_lr; }
    ScientificSpinBox* betaBox() const { return m_beta; }
    QSpinBox* epochsBox() const { return m_epochs; }
    QSpinBox* batchBox() const { return m_batch; }
    // How the layers are given (data: "dense" for widths, "layers" for layer lists), the
    // two lists as text ("conv 16 k3 s2 p1 relu; ..."), and the architecture with every
    // shape (or what is wrong with the lists).
    QComboBox* layersModeBox() const;
    QLineEdit* encoderLayersEdit() const;
    QLineEdit* decoderLayersEdit() const;
    QLabel* architectureLabel() const;

    // True for datasets of images (pixels scaled to [0, 1], BCE fits them).
    static bool isImageDataset(const QString& nameOrPath);
    static bool isCsvDataset(const QString& nameOrPath);

signals:
    // A setting that needs a new model changed. `action` names it for a button ("Switch
    // dataset"), `what` says it as the user did it ("Switch the dataset to mnist").
    void architectureEdited(const QString& action, const QString& what);
    void trainingOptionsEdited();
    void learningRateEdited(double lr);
    void betaEdited(double beta);
    void epochsEdited(int epochs);
    void browseDatasetRequested();

private:
    void datasetChosen(int index);
    void updateEnabled();
    std::vector<int> widths() const;
    void showArchitecture();

    app::RunConfig m_base;
    bool m_updating = false;
    DatasetFields* m_data;
    QSpinBox* m_holdOut;
    QComboBox* m_kind;
    QLineEdit* m_widths;
    LayerListFields* m_layers;
    QSpinBox* m_latent;
    QDoubleSpinBox* m_geometry;
    QSpinBox* m_neighbours;
    QComboBox* m_activation;
    QComboBox* m_loss;
    QSpinBox* m_batch;
    ScientificSpinBox* m_lr;
    QSpinBox* m_epochs;
    ScientificSpinBox* m_beta;
    QSpinBox* m_seed;
    QSpinBox* m_threads;
};

} // namespace latentlab::gui
