#include "views/manifold/ManifoldView.h"

#include "PlotRenderer.h"
#include "training/Decoding.h"
#include "views/output/ImageView.h"
#include "views/output/PointCloudView.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace latentlab::gui {


ManifoldView::ManifoldView(QWidget* parent)
    : DataOutputView(tr("The decoded manifold: codes on a regular grid over the latent plane, each decoded. A "
                        "VAE's grid is spaced by the prior's quantiles, so every cell holds the same share of "
                        "N(0, 1); an autoencoder's spans the middle 98 % of its codes. Its extent is drawn on "
                        "the plane."),
                     parent),
      m_steps(new QSpinBox), m_spread(new QDoubleSpinBox) {
    m_steps->setRange(3, 32);
    m_steps->setValue(12);
    m_steps->setObjectName("manifoldSteps");
    m_steps->setToolTip(tr("Cells along each axis"));
    m_spread->setRange(0.25, 4);
    m_spread->setSingleStep(0.25);
    m_spread->setValue(1);
    m_spread->setObjectName("manifoldSpread");
    m_spread->setToolTip(tr("VAE: how many prior standard deviations a unit of the quantile grid spans; above 1 "
                            "reaches further out than the prior puts its samples"));
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(new QLabel(tr("Cells")));
    bar->addWidget(m_steps);
    bar->addWidget(new QLabel(tr("Spread")));
    bar->addWidget(m_spread);
    bar->addStretch();
    if (auto* box = qobject_cast<QVBoxLayout*>(layout())) box->insertLayout(0, bar);
    connect(m_steps, qOverload<int>(&QSpinBox::valueChanged), this, [this] { request(); });
    connect(m_spread, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this] { request(); });
}

void ManifoldView::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
    m_decoder.reset();
    m_codes.reset();
    m_waitsForCodes = false;
    m_task.cancel(); // anything still decoding is for the old model
    m_shownValues.resize(0, 0);
    const bool image = m_dataset && m_dataset->isImage();
    showImages(image);
    m_cloud->setDataset(image ? nullptr : m_dataset.get());
    m_spread->setEnabled(info.config.model.kind == ModelKind::Vae);
    const QString hint = info.config.model.latentDim < 2 ? tr("The grid needs a latent space of 2 or more dimensions")
                                                          : tr("Decoded once the model is ready");
    m_image->setImage({});
    m_image->setCaption(hint);
    m_cloud->setMarkers(Matrix(), Qt::black, 0);
    m_cloud->setCaption(hint);
}

void ManifoldView::snapshotArrived(const TrainingSnapshot& snapshot) { setCodes(snapshot.codes); }

void ManifoldView::setModel(std::shared_ptr<const Model> decoder) {
    m_decoder = std::move(decoder);
    request();
}

void ManifoldView::setCodes(std::shared_ptr<const Matrix> codes) {
    if (!codes) return;
    m_codes = std::move(codes);
    if (m_waitsForCodes) request();
}

void ManifoldView::setDimensions(int dimX, int dimY) {
    if (dimX == m_dimX && dimY == m_dimY) return;
    m_dimX = dimX;
    m_dimY = dimY;
    request();
}

void ManifoldView::request() {
    m_waitsForCodes = false;
    if (!m_decoder || !m_dataset || m_decoder->latentDim() < 2) return;
    const Model& model = *m_decoder;
    LatentGridSpec spec;
    spec.steps = m_steps->value();
    spec.dimX = std::clamp(m_dimX, 0, int(model.latentDim()) - 1);
    spec.dimY = std::clamp(m_dimY, 0, int(model.latentDim()) - 1);
    if (spec.dimX == spec.dimY) spec.dimY = spec.dimX == 0 ? 1 : 0;
    Vector base = Vector::Zero(model.latentDim());
    if (model.kind() == ModelKind::Vae) {
        spec.gaussian = true;
        spec.spread = m_spread->value();
    } else {
        // An autoencoder has no prior: the box of its codes (their mean elsewhere).
        if (!m_codes || !fitGridBox(spec, *m_codes)) {
            m_waitsForCodes = true;
            return;
        }
        base = meanCode(*m_codes);
    }
    // The decoder is an immutable published clone; the pool thread only reads it.
    // The grid's picture is made there too: it is most of what the GUI thread would do.
    const int width = m_dataset->isImage() ? int(m_dataset->imageWidth) : 0, height = int(m_dataset->imageHeight);
    m_task.request([this, spec, base, width, height, decoder = m_decoder]() -> LatestTask::Delivery {
        const Matrix values = decodeColumns(*decoder, gridCodes(spec, base));
        QImage image = width > 0 ? app::imageGrid(values, width, height, spec.steps, 1) : QImage();
        return [this, spec, values, image] { show(spec, values, image); };
    });
}

void ManifoldView::show(const LatentGridSpec& spec, const Matrix& values, const QImage& image) {
    if (m_dataset) {
        m_shownSpec = spec;
        m_shownValues = values;
        const QString caption =
            spec.gaussian ? tr("%1 × %1 at the prior's quantiles × %2").arg(spec.steps).arg(spec.spread)
                          : tr("%1 × %1 over the codes' middle 98 %").arg(spec.steps);
        if (m_dataset->isImage()) {
            m_image->setImage(image);
            m_image->setCaption(caption);
        } else {
            m_cloud->setMarkers(values, QColor(214, 39, 40), 3.0);
            m_cloud->setCaption(caption);
        }
        const double x0 = gridCoordinate(spec, 0, spec.xMin, spec.xMax);
        const double x1 = gridCoordinate(spec, spec.steps - 1, spec.xMin, spec.xMax);
        const double y0 = gridCoordinate(spec, 0, spec.yMin, spec.yMax);
        const double y1 = gridCoordinate(spec, spec.steps - 1, spec.yMin, spec.yMax);
        emit extentChanged(QRectF(QPointF(x0, y0), QPointF(x1, y1)));
        emit decoded();
    }
}

} // namespace latentlab::gui
