// The latent plane: every sample's code (up to Fashion-MNIST's 70,000) coloured by its
// label. The samples are grouped, one group per class or per one of 16 bins of a
// continuous label (with a colour scale), and drawn by a DotCloud, which stamps a
// pre-rendered dot per point into an image: a full replot of 70,000 points takes a few
// milliseconds. The legend shows empty stand-in graphs with large dots.
//
// Mouse: left click or drag decodes (picked()), the wheel zooms, right/middle drag (or
// Shift + left) pans, double-click fits the view to the data again. Hovering a sample
// reports it (hovered()) for the card with its thumbnail and label.
#pragma once

#include <optional>

#include "training/Snapshot.h"

#include <qcustomplot.h>

namespace latentlab::gui {

class DotCloud;

class LatentPlot : public QCustomPlot {
    Q_OBJECT

public:
    explicit LatentPlot(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info);
    void setCodes(const std::shared_ptr<const Matrix>& codes);
    // The two latent dimensions on the axes; dimY < 0 (a 1-D code) plots the label or the
    // sample number upwards instead.
    void setDims(int dimX, int dimY);
    int dimX() const { return m_dimX; }
    int dimY() const { return m_dimY; }
    void setPicked(double x, double y);
    // The point last picked (the decoder shows it), if any.
    std::optional<QPointF> pickedPoint() const;
    // Full codes (latentDim x n) of prior samples, marked with crosses.
    void setPriorSamples(const Matrix& codes);
    // The decoded manifold's extent, a dashed rectangle; a null rectangle hides it.
    void setGridExtent(const QRectF& extent);
    QRectF gridExtent() const { return m_gridExtent; }
    // A path on the plane (the Interpolation tab's), drawn as a line with its ends marked;
    // empty: none.
    void setPath(const QPolygonF& path);
    QPolygonF path() const { return m_path; }
    void fitView();

    const std::shared_ptr<const Matrix>& codes() const { return m_codes; }
    int plottedPoints() const;
    int priorMarkers() const { return m_prior->dataCount(); }
    const Matrix& priorCodes() const { return m_priorCodes; }
    QPointF pixelFor(double x, double y) const;
    QPointF planeAt(const QPointF& pixel) const;

signals:
    void picked(double x, double y);
    void hovered(int row, const QPoint& globalPos); // row -1: nothing under the mouse
    void codesChanged();

protected:
    void changeEvent(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    // The plane's general tooltip waits while a sample's card is shown: it would cover it.
    bool event(QEvent* event) override;

private:
    void applyTheme();
    QCPScatterStyle priorStyle() const;
    struct Group {
        int group; // in m_cloud
        std::vector<Index> rows;
    };
    void buildGroups();
    void arrangeSide();
    void addGroup(const QString& name, QColor color, std::vector<Index> rows, bool inLegend);
    void rebuild();
    double yOf(Index row) const;
    int nearestRow(const QPointF& pixel) const;
    void emitPick(const QPointF& pixel);
    void forwardAsLeft(QMouseEvent* event);

    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const Matrix> m_codes;
    std::vector<Group> m_groups;
    DotCloud* m_cloud = nullptr;
    QCPGraph* m_pick = nullptr;
    QCPGraph* m_prior = nullptr;
    QCPColorScale* m_colorScale = nullptr;
    QCPLayoutGrid* m_side = nullptr;       // the legend's column, right of the plane
    QCPLayoutElement* m_filler = nullptr;  // keeps the legend at the top of that column
    Matrix m_priorCodes;
    QCPItemRect* m_gridRect = nullptr;
    QRectF m_gridExtent;
    QPolygonF m_path;
    QCPCurve* m_pathCurve = nullptr;
    int m_latentDim = 2;
    int m_dimX = 0, m_dimY = 1;
    bool m_continuous = false;
    bool m_autoRange = true;
    bool m_rescaling = false;
    bool m_decoding = false;
    bool m_panning = false;
    int m_hoverRow = -1;
};

} // namespace latentlab::gui
