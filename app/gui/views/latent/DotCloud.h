// The latent plane's samples as one layerable of QCustomPlot that stamps a small
// pre-rendered dot per point straight into an image: 70,000 points in a few milliseconds,
// where one QCPGraph per class drew each point through QPainter (and sorted every class
// by x on every update). Points come in groups (a class, or a bin of a continuous label),
// each with its colour and dot size; later groups are drawn over earlier ones.
//
// Painting into a vector device (PDF) or through a scaling transform falls back to one
// QPainter call per point; the window's exports use app::paintScatter anyway.
#pragma once

#include <qcustomplot.h>

#include <vector>

namespace latentlab::gui {

class DotCloud : public QCPLayerable {
    Q_OBJECT

public:
    // Drawn in the axis rect of `axisRect`, on the plot's current layer.
    explicit DotCloud(QCPAxisRect* axisRect);

    void clear();
    // A new group; returns its index for setPoints().
    int addGroup(const QColor& color, int dotSize);
    // The group's points as x, y pairs (2 n values); pairs with a non-finite value are not drawn.
    void setPoints(int group, std::vector<float> xy);
    // Points with finite coordinates, over all groups.
    int pointCount() const { return m_points; }
    // The bounding box of those points; false if there are none.
    bool bounds(QCPRange& x, QCPRange& y) const;

protected:
    QRect clipRect() const override;
    void applyDefaultAntialiasingHint(QCPPainter* painter) const override;
    void draw(QCPPainter* painter) override;

private:
    struct Group {
        QColor color;
        int size = 3;
        std::vector<float> xy;
        int points = 0;
        double xMin = 0, xMax = 0, yMin = 0, yMax = 0;
        QImage dot; // premultiplied ARGB, rendered for dotScale
        qreal dotScale = 0;
    };
    void stampInto(QImage& image, Group& group, qreal scale, double ax, double bx, double ay, double by);
    void drawEach(QCPPainter* painter);

    QCPAxisRect* m_rect;
    std::vector<Group> m_groups;
    int m_points = 0;
};

// A disc of `color` in a size x size premultiplied ARGB image (antialiased edge).
QImage renderDot(const QColor& color, int size);

} // namespace latentlab::gui
