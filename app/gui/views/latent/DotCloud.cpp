#include "views/latent/DotCloud.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace latentlab::gui {

namespace {

// x * a / 255 for the four 8-bit channels of x at once (two per 32-bit multiply), rounded
// the way Qt's raster engine does it.
inline uint32_t byteMul(uint32_t x, uint32_t a) {
    uint32_t t = (x & 0xff00ffu) * a;
    t = (t + ((t >> 8) & 0xff00ffu) + 0x800080u) >> 8;
    t &= 0xff00ffu;
    x = ((x >> 8) & 0xff00ffu) * a;
    x = x + ((x >> 8) & 0xff00ffu) + 0x800080u;
    x &= 0xff00ff00u;
    return x | t;
}

} // namespace

QImage renderDot(const QColor& color, int size) {
    size = std::max(1, size);
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    p.drawEllipse(QRectF(0.5, 0.5, size - 1.0, size - 1.0));
    return image;
}

DotCloud::DotCloud(QCPAxisRect* axisRect) : QCPLayerable(axisRect->parentPlot()), m_rect(axisRect) {}

void DotCloud::clear() {
    m_groups.clear();
    m_points = 0;
}

int DotCloud::addGroup(const QColor& color, int dotSize) {
    Group g;
    g.color = color;
    g.size = std::max(1, dotSize);
    m_groups.push_back(std::move(g));
    return int(m_groups.size()) - 1;
}

void DotCloud::setPoints(int group, std::vector<float> xy) {
    Group& g = m_groups.at(size_t(group));
    m_points -= g.points;
    g.xy = std::move(xy);
    g.points = 0;
    g.xMin = g.yMin = std::numeric_limits<double>::infinity();
    g.xMax = g.yMax = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i + 1 < g.xy.size(); i += 2) {
        const double x = g.xy[i], y = g.xy[i + 1];
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        ++g.points;
        g.xMin = std::min(g.xMin, x), g.xMax = std::max(g.xMax, x);
        g.yMin = std::min(g.yMin, y), g.yMax = std::max(g.yMax, y);
    }
    m_points += g.points;
}

bool DotCloud::bounds(QCPRange& x, QCPRange& y) const {
    bool found = false;
    for (const Group& g : m_groups) {
        if (g.points == 0) continue;
        if (!found) {
            x = QCPRange(g.xMin, g.xMax), y = QCPRange(g.yMin, g.yMax);
        } else {
            x.expand(QCPRange(g.xMin, g.xMax));
            y.expand(QCPRange(g.yMin, g.yMax));
        }
        found = true;
    }
    return found;
}

QRect DotCloud::clipRect() const { return m_rect->rect(); }

void DotCloud::applyDefaultAntialiasingHint(QCPPainter* painter) const { painter->setAntialiasing(false); }

void DotCloud::draw(QCPPainter* painter) {
    const QRect clip = clipRect();
    if (clip.isEmpty() || m_points == 0) return;
    QCPAxis* xAxis = m_rect->axis(QCPAxis::atBottom);
    QCPAxis* yAxis = m_rect->axis(QCPAxis::atLeft);
    const bool direct = !painter->modes().testFlag(QCPPainter::pmVectorized) &&
                        painter->transform().type() <= QTransform::TxTranslate &&
                        xAxis->scaleType() == QCPAxis::stLinear && yAxis->scaleType() == QCPAxis::stLinear;
    if (!direct) {
        drawEach(painter);
        return;
    }
    // On a HiDPI screen the paint buffer has more device pixels than logical ones.
    const qreal scale = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    QImage image(qRound(clip.width() * scale), qRound(clip.height() * scale), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    // Linear axes: pixel = a * coordinate + b, in the image's device pixels.
    const double x0 = xAxis->coordToPixel(0), y0 = yAxis->coordToPixel(0);
    const double ax = (xAxis->coordToPixel(1) - x0) * scale, bx = (x0 - clip.left()) * scale;
    const double ay = (yAxis->coordToPixel(1) - y0) * scale, by = (y0 - clip.top()) * scale;
    for (Group& g : m_groups) stampInto(image, g, scale, ax, bx, ay, by);
    image.setDevicePixelRatio(scale);
    painter->drawImage(clip.topLeft(), image);
}

void DotCloud::stampInto(QImage& image, Group& g, qreal scale, double ax, double bx, double ay, double by) {
    if (g.points == 0) return;
    if (g.dot.isNull() || g.dotScale != scale) {
        g.dot = renderDot(g.color, qRound(g.size * scale));
        g.dotScale = scale;
    }
    const int s = g.dot.width(), w = image.width(), h = image.height();
    const double half = 0.5 * s;
    auto* bits = reinterpret_cast<uint32_t*>(image.bits());
    const qsizetype stride = image.bytesPerLine() / 4;
    std::vector<uint32_t> dot(size_t(s) * size_t(s));
    for (int r = 0; r < s; ++r) {
        const auto* line = reinterpret_cast<const uint32_t*>(g.dot.constScanLine(r));
        std::copy(line, line + s, dot.begin() + r * s);
    }
    for (size_t i = 0; i + 1 < g.xy.size(); i += 2) {
        const double px = ax * g.xy[i] + bx - half, py = ay * g.xy[i + 1] + by - half;
        // Also false for NaN: samples not encoded yet are not drawn.
        if (!(px > -s && px < w && py > -s && py < h)) continue;
        const int left = int(std::lround(px)), top = int(std::lround(py));
        const int r0 = std::max(0, -top), r1 = std::min(s, h - top);
        const int c0 = std::max(0, -left), c1 = std::min(s, w - left);
        for (int r = r0; r < r1; ++r) {
            uint32_t* out = bits + qsizetype(top + r) * stride + left;
            const uint32_t* in = dot.data() + r * s;
            for (int c = c0; c < c1; ++c) {
                const uint32_t src = in[c];
                if (src == 0) continue;
                // Source over, premultiplied: out = src + out * (1 - alpha(src))
                out[c] = src + byteMul(out[c], 255u - (src >> 24));
            }
        }
    }
}

void DotCloud::drawEach(QCPPainter* painter) {
    QCPAxis* xAxis = m_rect->axis(QCPAxis::atBottom);
    QCPAxis* yAxis = m_rect->axis(QCPAxis::atLeft);
    painter->setAntialiasing(true);
    painter->setPen(Qt::NoPen);
    for (const Group& g : m_groups) {
        painter->setBrush(g.color);
        const double r = 0.5 * (g.size - 1.0);
        for (size_t i = 0; i + 1 < g.xy.size(); i += 2) {
            if (!std::isfinite(g.xy[i]) || !std::isfinite(g.xy[i + 1])) continue;
            const QPointF p(xAxis->coordToPixel(g.xy[i]), yAxis->coordToPixel(g.xy[i + 1]));
            painter->drawEllipse(p, r, r);
        }
    }
}

} // namespace latentlab::gui
