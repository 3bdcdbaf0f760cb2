#include "LatentView.h"

#include "HoverCard.h"
#include "LatentPlot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

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

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_dimsLabel);
    bar->addWidget(m_dimX);
    bar->addWidget(m_dimY);
    bar->addWidget(fit);
    bar->addStretch(1);
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

void LatentView::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
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
