// The decoded manifold: a grid of codes over the latent plane, each decoded, shown as a
// grid of images (or, for point data, as points against the data). A VAE's grid is spaced
// by the prior's quantiles (every cell the same share of N(0, 1)) and widened by a spread;
// an autoencoder's spans the middle 98 % of its current codes. It follows the training:
// each new decoder is decoded on a pool thread (single-threaded, on the published clone),
// and a result whose decoder or settings are no longer the newest is dropped.
#pragma once

#include "views/LatestTask.h"
#include "views/ModelView.h"

#include "views/output/DataOutputView.h"

#include "latentlab/LatentGrid.h"
#include "latentlab/Model.h"

#include <QImage>
#include <QRectF>
#include <memory>

class QDoubleSpinBox;
class QSpinBox;

namespace latentlab::gui {

class ManifoldView : public DataOutputView, public ModelView {
    Q_OBJECT

public:
    explicit ManifoldView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info) override;
    // Newer codes of the data come with the snapshot, before its decoder.
    void snapshotArrived(const TrainingSnapshot& snapshot) override;
    // A newer decoder to decode with (an autoencoder's grid also needs codes of the data).
    void setModel(std::shared_ptr<const Model> decoder) override;
    // Newer codes of the data: kept for the next grid (and used at once by a grid that
    // waited for its first codes).
    void setCodes(std::shared_ptr<const Matrix> codes);
    // The plotted dimensions: the grid spans these, the others stay at the base.
    void setDimensions(int dimX, int dimY);

    QSpinBox* stepsBox() const { return m_steps; }
    QDoubleSpinBox* spreadBox() const { return m_spread; }
    // What is shown: the grid spec of the last decoded grid and its decoded values
    // (features x steps^2, data units); requests still running count as not shown.
    const LatentGridSpec& shownSpec() const { return m_shownSpec; }
    const Matrix& shownValues() const { return m_shownValues; }
    bool busy() const { return m_task.busy(); }

signals:
    // The grid's extent on the plane (its first and last cell centres), after each decode.
    void extentChanged(const QRectF& extent);
    void decoded();

private:
    void request(); // a new grid for the current decoder and settings
    void show(const LatentGridSpec& spec, const Matrix& values, const QImage& image);

    QSpinBox* m_steps;
    QDoubleSpinBox* m_spread;
    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const Model> m_decoder;
    std::shared_ptr<const Matrix> m_codes;
    int m_dimX = 0, m_dimY = 1;
    bool m_waitsForCodes = false; // an autoencoder's grid asked for before any codes came
    LatentGridSpec m_shownSpec;
    Matrix m_shownValues;
    LatestTask m_task{this, "view manifold"}; // last: it waits for its thread before the rest goes
};

} // namespace latentlab::gui
