#include "views/latent/LatentView.h"

#include "views/latent/ElidingLabel.h"
#include "views/latent/HoverCard.h"
#include "views/latent/LatentPlot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QLocale>
#include <QVBoxLayout>
#include <cmath>

namespace latentlab::gui {

LatentView::LatentView(QWidget* parent) : QWidget(parent) {
    m_plot = new LatentPlot;
    m_plot->setToolTip(tr("Every sample's latent code, coloured by its label.\nClick or drag: decode that "
                          "point.  Wheel: zoom.  Right/middle drag or Shift+drag: pan.\nDouble-click: fit to "
                          "the data.  Hover a point to see the sample."));
    m_card = new HoverCard(m_plot);
    m_dimsLabel = new QLabel(tr("Plot"));
    m_dimX = new QComboBox;
    m_dimY = new QComboBox;
    for (QComboBox* box : {m_dimX, m_dimY})
        box->setToolTip(tr("The code has more than two dimensions: pick the two to plot. Decoding a "
                           "clicked point keeps the others at the codes' mean (0 for a VAE)."));
    auto* fit = new QPushButton(tr("Fit"));
    fit->setToolTip(tr("Fit the view to all codes again and follow them while training (double-click "
                       "does the same)."));
    m_count = new QSpinBox;
    m_count->setRange(1, 400);
    m_count->setValue(64);
    m_count->setToolTip(tr("How many samples to draw from the prior."));
    m_sample = new QPushButton(tr("Sample from prior"));
    m_sample->setToolTip(tr("VAE: draw codes from N(0, I), decode them into the gallery and mark them on "
                            "the plane."));

    m_coverage = new ElidingLabel;
    m_coverage->setToolTip(tr("While training, the plane shows a fixed random subset of the samples, all "
                              "re-encoded with the newest weights at every update, so that it never shows codes "
                              "of different models side by side. Paused, every sample is shown."));

    // Shown for codes of more than two dimensions only (setSession); hidden from the start,
    // so that the window's first size is not made for them.
    for (QWidget* wgt : {static_cast<QWidget*>(m_dimsLabel), static_cast<QWidget*>(m_dimX), static_cast<QWidget*>(m_dimY)})
        wgt->hide();
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_dimsLabel);
    bar->addWidget(m_dimX);
    bar->addWidget(m_dimY);
    bar->addWidget(fit);
    bar->addWidget(m_coverage, 1);
    bar->addWidget(m_count);
    bar->addWidget(m_sample);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);

    connect(fit, &QPushButton::clicked, m_plot, &LatentPlot::fitView);
    connect(m_sample, &QPushButton::clicked, this, [this] { emit sampleRequested(m_count->value()); });
    auto dims = [this] {
        m_plot->setDims(m_dimX->currentIndex(), m_dimY->currentIndex());
        emit dimsChanged(m_plot->dimX(), m_plot->dimY());
    };
    connect(m_dimX, qOverload<int>(&QComboBox::activated), this, dims);
    connect(m_dimY, qOverload<int>(&QComboBox::activated), this, dims);
    connect(m_plot, &LatentPlot::hovered, this, &LatentView::showHover);
}

int LatentView::sampleCount() const { return m_count->value(); }

void LatentView::showCoverage(const std::shared_ptr<const Matrix>& codes, bool training) {
    if (!codes || !m_dataset) return;
    Index shown = 0;
    for (Index i = 0; i < codes->cols(); ++i) shown += std::isfinite(double((*codes)(0, i))) ? 1 : 0;
    const Index rows = codes->cols();
    QString text;
    if (shown < rows)
        text = training ? tr("Training: %1 of %2 samples, re-encoded together with the newest weights; pause "
                             "to see all")
                              .arg(QLocale().toString(qlonglong(shown)), QLocale().toString(qlonglong(rows)))
                        : tr("Encoding: %1 of %2 samples so far")
                              .arg(QLocale().toString(qlonglong(shown)), QLocale().toString(qlonglong(rows)));
    m_coverage->setFullText(text);
}

QString LatentView::coverageText() const { return m_coverage->fullText(); }

void LatentView::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
    m_coverage->setFullText(QString());
    m_card->hide();
    m_plot->setSession(info);
    const int k = info.config.model.latentDim;
    m_dimX->clear();
    m_dimY->clear();
    for (int i = 0; i < k; ++i) {
        m_dimX->addItem(QString("x: z%1").arg(i));
        m_dimY->addItem(QString("y: z%1").arg(i));
    }
    m_dimX->setCurrentIndex(0);
    m_dimY->setCurrentIndex(k > 1 ? 1 : 0);
    const bool pick = k > 2;
    m_dimsLabel->setVisible(pick);
    m_dimX->setVisible(pick);
    m_dimY->setVisible(pick);
    const bool vae = info.config.model.kind == ModelKind::Vae;
    m_sample->setEnabled(vae);
    m_count->setEnabled(vae);
}

void LatentView::setDims(int dimX, int dimY) {
    m_dimX->setCurrentIndex(dimX);
    m_dimY->setCurrentIndex(dimY);
    m_plot->setDims(dimX, dimY);
    emit dimsChanged(m_plot->dimX(), m_plot->dimY());
}

void LatentView::showHover(int row, const QPoint& globalPos) {
    if (row < 0 || !m_dataset) {
        m_card->hide();
        return;
    }
    m_card->showSample(*m_dataset, row, m_plot->mapFromGlobal(globalPos));
}

} // namespace latentlab::gui
