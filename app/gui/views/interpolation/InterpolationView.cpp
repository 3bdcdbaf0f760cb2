#include "views/interpolation/InterpolationView.h"

#include "Experiment.h"
#include "PlotRenderer.h"
#include "training/Decoding.h"
#include "views/output/ImageView.h"
#include "views/output/PointCloudView.h"

#include "latentlab/Batch.h"
#include "latentlab/LatentGrid.h"
#include "latentlab/Random.h"
#include "latentlab/Threads.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace latentlab::gui {

InterpolationView::InterpolationView(QWidget* parent)
    : DataOutputView(tr("Interpolation: the codes on the way from one sample's code (or a point of the plane) "
                        "to another's, each decoded; the path is drawn on the plane"),
                     parent),
      m_from(new QSpinBox), m_to(new QSpinBox), m_steps(new QSpinBox), m_spherical(new QCheckBox(tr("Spherical"))),
      m_random(new QPushButton(tr("Random pair"))), m_startHere(new QPushButton(tr("Start here"))),
      m_endHere(new QPushButton(tr("End here"))) {
    m_startHere->setToolTip(tr("Start the path at the point last clicked on the plane (choose a sample again to "
                               "start there)"));
    m_endHere->setToolTip(tr("End the path at the point last clicked on the plane"));
    for (QPushButton* b : {m_startHere, m_endHere}) b->setEnabled(false); // until a point is clicked
    m_from->setObjectName("interpolationFrom");
    m_to->setObjectName("interpolationTo");
    m_from->setToolTip(tr("The sample the path starts from (its row in the data)"));
    m_to->setToolTip(tr("The sample the path ends at"));
    m_steps->setRange(3, 16);
    m_steps->setValue(10);
    m_steps->setToolTip(tr("Decoded codes along the path, both ends included"));
    m_spherical->setToolTip(tr("VAE: along the great circle (the prior keeps codes near a sphere), the norm moving "
                               "linearly; off: a straight line"));
    m_random->setToolTip(tr("Two other samples, drawn at random"));
    for (QSpinBox* b : {m_from, m_to}) b->setKeyboardTracking(false);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(new QLabel(tr("From")));
    bar->addWidget(m_from);
    bar->addWidget(new QLabel(tr("to")));
    bar->addWidget(m_to);
    bar->addWidget(new QLabel(tr("Steps")));
    bar->addWidget(m_steps);
    bar->addWidget(m_spherical);
    bar->addWidget(m_random);
    bar->addWidget(m_startHere);
    bar->addWidget(m_endHere);
    bar->addStretch();
    if (auto* box = qobject_cast<QVBoxLayout*>(layout())) box->insertLayout(0, bar);
    // Choosing a sample makes that end a sample again.
    connect(m_from, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
        m_ends[0].reset();
        refresh();
    });
    connect(m_to, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
        m_ends[1].reset();
        refresh();
    });
    connect(m_steps, qOverload<int>(&QSpinBox::valueChanged), this, [this] { refresh(); });
    connect(m_startHere, &QPushButton::clicked, this, [this] {
        m_ends[0] = m_picked;
        refresh();
    });
    connect(m_endHere, &QPushButton::clicked, this, [this] {
        m_ends[1] = m_picked;
        refresh();
    });
    connect(m_spherical, &QCheckBox::toggled, this, [this] { refresh(); });
    connect(m_random, &QPushButton::clicked, this, [this] {
        if (!m_dataset || m_dataset->rows < 2) return;
        Rng rng(500 + m_draws++);
        const auto n = uint64_t(m_dataset->rows);
        const int a = int(rng.below(n));
        int b = int(rng.below(n - 1));
        if (b >= a) ++b;
        {
            const QSignalBlocker blockFrom(m_from), blockTo(m_to);
            m_from->setValue(a);
            m_to->setValue(b);
        }
        m_ends[0].reset(); // both ends samples again
        m_ends[1].reset();
        refresh();
    });
}

void InterpolationView::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
    m_model.reset();
    m_pacer.reset();
    m_codes.resize(0, 0);
    m_values.resize(0, 0);
    m_picked.reset();
    m_ends[0].reset();
    m_ends[1].reset();
    m_caption.clear();
    for (QPushButton* b : {m_startHere, m_endHere}) b->setEnabled(false);
    const Index rows = m_dataset ? m_dataset->rows : 0;
    const bool vae = info.config.model.kind == ModelKind::Vae;
    {
        const QSignalBlocker a(m_from), b(m_to), c(m_spherical);
        m_from->setRange(0, int(std::max<Index>(0, rows - 1)));
        m_to->setRange(0, int(std::max<Index>(0, rows - 1)));
        m_from->setValue(0);
        m_to->setValue(int(std::min<Index>(1, std::max<Index>(0, rows - 1))));
        m_spherical->setChecked(vae);
        m_spherical->setEnabled(vae);
    }
    const bool image = m_dataset && m_dataset->isImage();
    showImages(image);
    m_cloud->setDataset(image ? nullptr : m_dataset.get());
    m_image->setImage({});
    m_image->setCaption(tr("Decoded once the model is ready"));
    m_cloud->setMarkers(Matrix(), Qt::black, 0);
    m_cloud->setCaption(tr("Decoded once the model is ready"));
    emit pathChanged({});
}

void InterpolationView::snapshotArrived(const TrainingSnapshot& snapshot) {
    m_pacer.setRunning(snapshot.state == RunState::Running);
}

void InterpolationView::setModel(std::shared_ptr<const Model> model) { m_pacer.offer(std::move(model)); }

void InterpolationView::showModel(std::shared_ptr<const Model> model) {
    m_model = std::move(model);
    refresh();
}

void InterpolationView::setActive(bool active) {
    m_active = active;
    if (active)
        refresh();
    else
        emit pathChanged({}); // the path belongs to the tab: not drawn while another shows
}

void InterpolationView::setDimensions(int dimX, int dimY) {
    m_dimX = dimX;
    m_dimY = dimY;
    refresh();
}

void InterpolationView::setPickedCode(const Vector& code) {
    m_picked = code;
    for (QPushButton* b : {m_startHere, m_endHere}) b->setEnabled(true);
}

QString InterpolationView::endName(int end, Index row) const {
    if (!m_ends[end]) return tr("sample %1").arg(row);
    const Vector& z = *m_ends[end];
    const Index dx = std::clamp<Index>(m_dimX, 0, z.size() - 1), dy = std::clamp<Index>(m_dimY, 0, z.size() - 1);
    return z.size() >= 2 ? tr("point (%1, %2)").arg(z(dx), 0, 'f', 2).arg(z(dy), 0, 'f', 2)
                         : tr("point (%1)").arg(z(0), 0, 'f', 2);
}

void InterpolationView::refresh() {
    if (!m_active || !m_model || !m_dataset || m_dataset->rows < 1) return;
    const Model& model = *m_model;
    const SingleThreaded onThisThread;
    Matrix x, z;
    const Index rows[] = {m_from->value(), m_to->value()};
    gatherBatch(app::viewOf(*m_dataset), model.normalizer(), rows, 2, x);
    model.encode(x, z); // a VAE's means
    // A point from another session's model cannot be an end: the sample stands in.
    for (int e = 0; e < 2; ++e)
        if (m_ends[e] && m_ends[e]->size() != z.rows()) m_ends[e].reset();
    const Vector a = m_ends[0] ? *m_ends[0] : Vector(z.col(0)), b = m_ends[1] ? *m_ends[1] : Vector(z.col(1));
    m_codes = interpolateCodes(a, b, m_steps->value(), m_spherical->isChecked());
    m_values = decodeColumns(model, m_codes);
    const QString caption = tr("%1 → %2, %3").arg(endName(0, rows[0]), endName(1, rows[1]),
                                                  m_spherical->isChecked() ? tr("spherical") : tr("straight"));
    m_caption = caption;
    if (m_dataset->isImage()) {
        m_image->setImage(app::imageGrid(m_values, m_dataset->imageWidth, m_dataset->imageHeight, int(m_values.cols()), 2));
        m_image->setCaption(caption);
    } else {
        m_cloud->setMarkers(m_values, QColor(214, 39, 40), 3.0);
        m_cloud->setCaption(caption);
    }
    QPolygonF path;
    const Index dx = std::clamp<Index>(m_dimX, 0, m_codes.rows() - 1), dy = std::clamp<Index>(m_dimY, 0, m_codes.rows() - 1);
    if (m_codes.rows() >= 2)
        for (Index i = 0; i < m_codes.cols(); ++i) path << QPointF(m_codes(dx, i), m_codes(dy, i));
    emit pathChanged(path);
}

} // namespace latentlab::gui
