// The decoded manifold: a grid of codes over the latent plane, each decoded, shown as a
// grid of images (or, for point data, as points against the data). A VAE's grid is spaced
// by the prior's quantiles (every cell the same share of N(0, 1)) and widened by a spread;
// an autoencoder's spans the middle 98 % of its current codes. It follows the training:
// each new decoder is decoded on a pool thread (single-threaded, on the published clone),
// and a result whose decoder or settings are no longer the newest is dropped.
#pragma once

#include "training/Snapshot.h"

#include "views/output/DataOutputView.h"

#include "latentlab/LatentGrid.h"
#include "latentlab/Model.h"

#include <QRectF>
#include <QThreadPool>
#include <memory>

class QDoubleSpinBox;
class QSpinBox;

namespace latentlab::gui {

class ManifoldView : public DataOutputView {
    Q_OBJECT

public:
    explicit ManifoldView(QWidget* parent = nullptr);
    ~ManifoldView() override; // waits for a decode still running

    void setSession(const SessionInfo& info);
    // A newer decoder (and the codes of the data, for an autoencoder's box) to decode with.
    void setModel(std::shared_ptr<const Model> decoder, std::shared_ptr<const Matrix> codes);
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
    bool busy() const { return m_running; }

signals:
    // The grid's extent on the plane (its first and last cell centres), after each decode.
    void extentChanged(const QRectF& extent);
    void decoded();

private:
    void request();        // a new grid for the current decoder and settings
    void startPending();   // one decode at a time; the newest request waits
    void show(int generation, const LatentGridSpec& spec, const Matrix& values);

    QSpinBox* m_steps;
    QDoubleSpinBox* m_spread;
    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const Model> m_decoder;
    std::shared_ptr<const Matrix> m_codes;
    int m_dimX = 0, m_dimY = 1;
    int m_generation = 0;  // of the newest request
    bool m_running = false;
    bool m_pending = false;
    QThreadPool m_pool; // one decode at a time, finished before the view goes
    LatentGridSpec m_shownSpec;
    Matrix m_shownValues;
};

} // namespace latentlab::gui
