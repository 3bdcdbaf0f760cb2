#include "views/denoising/DenoisingView.h"

#include "PlotRenderer.h"
#include "views/output/ImageView.h"

#include "latentlab/Random.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

#include <cmath>

namespace latentlab::gui {

namespace {
constexpr int kSamples = 8;
} // namespace

DenoisingView::DenoisingView(QWidget* parent)
    : QWidget(parent), m_noise(new QSlider(Qt::Horizontal)), m_other(new QPushButton(tr("Other samples"))),
      m_psnr(new QLabel), m_images(new ImageView) {
    setToolTip(tr("Denoising at inference: test images (top), the same with Gaussian noise (middle) and the "
                  "model's reconstructions of the noisy ones (bottom), with their PSNR against the clean images"));
    m_noise->setObjectName("denoisingNoise");
    m_noise->setRange(0, 100); // per cent of the peak value
    m_noise->setValue(30);
    m_noise->setToolTip(tr("The noise's standard deviation, as a share of the brightest value"));
    m_other->setObjectName("denoisingOther");
    m_other->setToolTip(tr("Draw other test samples"));
    m_psnr->setObjectName("denoisingPsnr");
    m_psnr->setWordWrap(true);
    m_psnr->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(new QLabel(tr("Noise")));
    bar->addWidget(m_noise, 1);
    bar->addWidget(m_other);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_psnr);
    layout->addWidget(m_images, 1);
    connect(m_noise, &QSlider::valueChanged, this, [this] { refresh(); });
    connect(m_other, &QPushButton::clicked, this, [this] {
        ++m_draw;
        pickRows();
        refresh();
    });
}

void DenoisingView::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
    m_model.reset();
    m_pacer.reset();
    m_shown.reset();
    m_draw = 0;
    pickRows();
    const bool images = m_dataset && m_dataset->isImage();
    m_noise->setEnabled(images);
    m_other->setEnabled(images);
    m_images->setImage({});
    m_images->setCaption(QString());
    m_psnr->setText(images ? tr("Shown once the model is ready")
                           : tr("Denoising is shown for images: MNIST, Fashion-MNIST or an IDX file"));
}

void DenoisingView::snapshotArrived(const TrainingSnapshot& snapshot) {
    m_pacer.setRunning(snapshot.state == RunState::Running);
}

void DenoisingView::setModel(std::shared_ptr<const Model> model) { m_pacer.offer(std::move(model)); }

void DenoisingView::showModel(std::shared_ptr<const Model> model) {
    m_model = std::move(model);
    refresh();
}

void DenoisingView::setActive(bool active) {
    m_active = active;
    refresh();
}

double DenoisingView::noise() const { return m_noise->value() / 100.0; }

double DenoisingView::peak() const { return m_dataset && m_dataset->isBytes() ? 255.0 : 1.0; }

QString DenoisingView::psnrText() const { return m_psnr->text(); }

void DenoisingView::pickRows() {
    m_rows.clear();
    if (!m_dataset || m_dataset->rows == 0) return;
    // From the test part when there is one: images the model did not train on.
    const Index first = m_dataset->trainRows > 0 && m_dataset->trainRows < m_dataset->rows ? m_dataset->trainRows : 0;
    const Index count = m_dataset->rows - first;
    Rng rng(1000 + m_draw);
    for (int i = 0; i < kSamples && i < count; ++i) m_rows.push_back(first + Index(rng.below(uint64_t(count))));
}

void DenoisingView::refresh() {
    if (!m_active || !m_model || !m_dataset || !m_dataset->isImage() || m_rows.empty()) return;
    // The same noise for the same slider position and samples, whatever the model.
    m_shown = denoiseSamples(*m_model, *m_dataset, m_rows, noise(), peak(), 7 + m_draw * 101 + uint64_t(m_noise->value()));
    const Index n = Index(m_rows.size());
    Matrix grid(m_dataset->cols, 3 * n);
    grid << m_shown->clean, m_shown->noisy, m_shown->restored;
    m_images->setImage(app::imageGrid(grid, m_dataset->imageWidth, m_dataset->imageHeight, int(n), 2));
    m_images->setCaption(tr("top: clean · middle: with noise · bottom: reconstructed from the noisy"));
    auto db = [](double v) { return std::isinf(v) ? tr("∞ dB") : tr("%1 dB").arg(v, 0, 'f', 1); };
    m_psnr->setText(tr("Noise σ = %1 % of the peak. PSNR against the clean images: noisy %2, reconstructed %3.")
                        .arg(m_noise->value())
                        .arg(db(m_shown->noisyPsnr), db(m_shown->restoredPsnr)));
}

} // namespace latentlab::gui
