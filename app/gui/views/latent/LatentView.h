// The centre of the window: the latent plane with its small toolbar (which two latent
// dimensions to plot, fit the view, sample from a VAE's prior) and the hover card.
#pragma once

#include "training/Snapshot.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace latentlab::gui {

class ElidingLabel;
class HoverCard;
class LatentPlot;

class LatentView : public QWidget {
    Q_OBJECT

public:
    explicit LatentView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info);
    LatentPlot* plot() const { return m_plot; }
    HoverCard* hoverCard() const { return m_card; }
    QPushButton* sampleButton() const { return m_sample; }
    int sampleCount() const;
    void setDims(int dimX, int dimY);
    // Says beside the plane how many samples it shows when not all: while training a subset
    // re-encoded whole with each update, while encoding the part done so far.
    void showCoverage(const std::shared_ptr<const Matrix>& codes, bool training);
    QString coverageText() const; // the whole text, however much of it fits
    ElidingLabel* coverageLabel() const { return m_coverage; }

signals:
    void sampleRequested(int count);
    void dimsChanged(int dimX, int dimY);

private:
    void showHover(int row, const QPoint& globalPos);

    std::shared_ptr<const data::Dataset> m_dataset;
    LatentPlot* m_plot;
    HoverCard* m_card;
    QLabel* m_dimsLabel;
    ElidingLabel* m_coverage;
    QComboBox* m_dimX;
    QComboBox* m_dimY;
    QPushButton* m_sample;
    QSpinBox* m_count;
};

} // namespace latentlab::gui
