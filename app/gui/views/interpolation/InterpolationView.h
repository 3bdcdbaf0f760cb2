// Interpolation: the decoded path between two codes, as a strip of images
// (or points against the data). Each end is a sample's code, or a point of the plane: the
// one last clicked (decoded), taken with "Start here" / "End here". The path runs straight
// or, for a VAE, along the great circle its prior
// keeps codes near; the path is drawn on the latent plane. Sixteen decodes at most, so it
// runs on the GUI thread, following each new model while its tab shows.
#pragma once

#include "views/ModelPacer.h"
#include "views/ModelView.h"

#include "views/output/DataOutputView.h"

#include "latentlab/Model.h"

#include <QPolygonF>
#include <memory>
#include <optional>

class QCheckBox;
class QPushButton;
class QSpinBox;

namespace latentlab::gui {

class InterpolationView : public DataOutputView, public ModelView {
    Q_OBJECT

public:
    explicit InterpolationView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info) override;
    // Training runs: a newer model shows at most once a second (ModelPacer).
    void snapshotArrived(const TrainingSnapshot& snapshot) override;
    void setModel(std::shared_ptr<const Model> model) override;
    void setActive(bool active) override;
    // The plotted dimensions: the path on the plane is drawn in these.
    void setDimensions(int dimX, int dimY);
    // The code of the point last clicked on the plane (all dimensions): what "Start here"
    // and "End here" take.
    void setPickedCode(const Vector& code);

    QSpinBox* fromBox() const { return m_from; }
    QSpinBox* toBox() const { return m_to; }
    QSpinBox* stepsBox() const { return m_steps; }
    QCheckBox* sphericalBox() const { return m_spherical; }
    QPushButton* randomButton() const { return m_random; }
    QPushButton* startHereButton() const { return m_startHere; }
    QPushButton* endHereButton() const { return m_endHere; }
    // A point an end is fixed at (empty: the end is the sample in its box).
    const std::optional<Vector>& startPoint() const { return m_ends[0]; }
    const std::optional<Vector>& endPoint() const { return m_ends[1]; }
    QString caption() const { return m_caption; }
    // The codes along the path (latentDim x steps) and their decoding (features x steps,
    // data units), as last shown.
    const Matrix& shownCodes() const { return m_codes; }
    const Matrix& shownValues() const { return m_values; }

signals:
    // The path in the plotted dimensions; empty when there is none to show.
    void pathChanged(const QPolygonF& path);

private:
    void showModel(std::shared_ptr<const Model> model);
    void refresh();
    QString endName(int end, Index row) const;

    QSpinBox* m_from;
    QSpinBox* m_to;
    QSpinBox* m_steps;
    QCheckBox* m_spherical;
    QPushButton* m_random;
    QPushButton* m_startHere;
    QPushButton* m_endHere;
    std::optional<Vector> m_picked;
    std::optional<Vector> m_ends[2]; // points the ends are fixed at, instead of samples
    QString m_caption;
    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const Model> m_model; // the one shown
    ModelPacer m_pacer{this, [this](std::shared_ptr<const Model> model) { showModel(std::move(model)); }};
    int m_dimX = 0, m_dimY = 1;
    uint64_t m_draws = 0;
    bool m_active = false;
    Matrix m_codes, m_values;
};

} // namespace latentlab::gui
