// Interpolation: the decoded path between the codes of two samples, as a strip of images
// (or points against the data), straight or, for a VAE, along the great circle its prior
// keeps codes near; the path is drawn on the latent plane. Sixteen decodes at most, so it
// runs on the GUI thread, following each new model while its tab shows.
#pragma once

#include "views/ModelView.h"

#include "views/output/DataOutputView.h"

#include "latentlab/Model.h"

#include <QPolygonF>
#include <memory>

class QCheckBox;
class QPushButton;
class QSpinBox;

namespace latentlab::gui {

class InterpolationView : public DataOutputView, public ModelView {
    Q_OBJECT

public:
    explicit InterpolationView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info) override;
    void setModel(std::shared_ptr<const Model> model) override;
    void setActive(bool active) override;
    // The plotted dimensions: the path on the plane is drawn in these.
    void setDimensions(int dimX, int dimY);

    QSpinBox* fromBox() const { return m_from; }
    QSpinBox* toBox() const { return m_to; }
    QSpinBox* stepsBox() const { return m_steps; }
    QCheckBox* sphericalBox() const { return m_spherical; }
    QPushButton* randomButton() const { return m_random; }
    // The codes along the path (latentDim x steps) and their decoding (features x steps,
    // data units), as last shown.
    const Matrix& shownCodes() const { return m_codes; }
    const Matrix& shownValues() const { return m_values; }

signals:
    // The path in the plotted dimensions; empty when there is none to show.
    void pathChanged(const QPolygonF& path);

private:
    void refresh();

    QSpinBox* m_from;
    QSpinBox* m_to;
    QSpinBox* m_steps;
    QCheckBox* m_spherical;
    QPushButton* m_random;
    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const Model> m_model;
    int m_dimX = 0, m_dimY = 1;
    uint64_t m_draws = 0;
    bool m_active = false;
    Matrix m_codes, m_values;
};

} // namespace latentlab::gui
