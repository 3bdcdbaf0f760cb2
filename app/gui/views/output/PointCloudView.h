// Data that are points, not images (the Swiss roll is 3-D, the moons 2-D), drawn with
// QPainter: the dataset as a faint cloud coloured by label, and on top of it highlighted
// points (a decoded point, prior samples) or segments (input -> reconstruction). 3-D data
// are shown in an orthographic view that the mouse rotates; data with more than three
// features show their first three.
#pragma once

#include "latentlab/Dataset.h"
#include "latentlab/Types.h"

#include <QColor>
#include <QImage>
#include <QWidget>
#include <vector>

namespace latentlab::gui {

class PointCloudView : public QWidget {
    Q_OBJECT

public:
    explicit PointCloudView(QWidget* parent = nullptr);

    // Background cloud (at most a few thousand samples of it); null clears.
    void setDataset(const data::Dataset* dataset);
    // Highlighted points, features x n in the data's units.
    void setMarkers(const Matrix& points, QColor color, double radius);
    // Segments from each column of `from` to the same column of `to`.
    void setPairs(const Matrix& from, const Matrix& to);
    void setCaption(const QString& caption);
    // The caption's lines as drawn at the top left, each cut with "…" to the width. With
    // nothing else to show (a placeholder) it is word-wrapped in the middle instead.
    QStringList shownCaption() const;
    bool showsNothing() const;

    // How many times the background cloud was drawn: once per dataset, turn and size, not
    // for each new set of points on top of it (for tests).
    int cloudRenders() const { return m_cloudRenders; }

    QSize sizeHint() const override { return {320, 260}; }
    QSize minimumSizeHint() const override { return {120, 100}; }

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    // Rotated, centred and scaled coordinates of a point: x right, y up, depth.
    Eigen::Vector3d project(const Scalar* values, Index stride) const;
    QPointF toScreen(const Eigen::Vector3d& p) const;
    static bool drawable(const QPointF& p);
    // The cloud as drawn for the current turn and size, drawn again when either changed.
    // It stays while the points on top change with every model (the Swiss roll's 3,000
    // antialiased dots took most of the GUI thread's time while training).
    const QImage& cloudImage();

    int m_dims = 0; // features shown: 2 or 3
    Matrix m_cloud; // m_dims x n
    std::vector<QColor> m_colors;
    Eigen::Vector3d m_center{0, 0, 0};
    double m_radius = 1;
    Matrix m_markers, m_pairFrom, m_pairTo;
    QColor m_markerColor = Qt::red;
    double m_markerRadius = 6;
    QString m_caption;
    double m_yaw = 0.5, m_pitch = 1.0; // looks down into the Swiss roll's spiral
    QPoint m_lastMouse;
    QImage m_cloudImage; // transparent where no dot is
    double m_cloudYaw = 0, m_cloudPitch = 0; // the turn it was drawn for
    int m_cloudRenders = 0;
};

} // namespace latentlab::gui
