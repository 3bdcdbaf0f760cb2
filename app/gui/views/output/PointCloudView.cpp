#include "views/output/PointCloudView.h"

#include "PlotRenderer.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace latentlab::gui {

namespace {
constexpr Index kMaxCloud = 4000; // enough to see the shape; cheap to repaint while dragging
}

PointCloudView::PointCloudView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(false);
    // The palette's base (white, or dark on a dark desktop), as the plots: not a fixed
    // white, which a dark palette could not reach.
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void PointCloudView::setDataset(const data::Dataset* d) {
    m_cloudImage = QImage();
    m_cloud.resize(0, 0);
    m_colors.clear();
    m_markers.resize(0, 0);
    m_pairFrom.resize(0, 0);
    m_pairTo.resize(0, 0);
    m_dims = 0;
    if (!d || d->rows == 0 || d->cols < 1) {
        update();
        return;
    }
    m_dims = d->cols >= 3 ? 3 : 2;
    const Index n = std::min<Index>(d->rows, kMaxCloud);
    m_cloud.setZero(m_dims, n);
    float lo = 0, hi = 1;
    if (!d->labels.empty()) {
        lo = *std::min_element(d->labels.begin(), d->labels.end());
        hi = *std::max_element(d->labels.begin(), d->labels.end());
    }
    for (Index i = 0; i < n; ++i) {
        const Index row = i * d->rows / n; // evenly spread over the whole set
        for (int k = 0; k < std::min<int>(m_dims, int(d->cols)); ++k) m_cloud(k, i) = Scalar(d->value(row, k));
        QColor c(120, 120, 120);
        if (!d->labels.empty()) {
            const float l = d->labels[size_t(row)];
            c = d->labelKind == data::LabelKind::Class ? app::classColor(int(std::lround(l)))
                                                       : app::colormap(hi > lo ? (l - lo) / (hi - lo) : 0.5);
        }
        c.setAlphaF(0.35);
        m_colors.push_back(c);
    }
    const Eigen::VectorXd lo3 = m_cloud.rowwise().minCoeff().cast<double>();
    const Eigen::VectorXd hi3 = m_cloud.rowwise().maxCoeff().cast<double>();
    m_center.setZero();
    m_center.head(m_dims) = (lo3 + hi3) / 2;
    m_radius = std::max(1e-9, (hi3 - lo3).norm() / 2);
    update();
}

void PointCloudView::setMarkers(const Matrix& points, QColor color, double radius) {
    m_markers = points;
    m_markerColor = color;
    m_markerRadius = radius;
    update();
}

void PointCloudView::setPairs(const Matrix& from, const Matrix& to) {
    m_pairFrom = from;
    m_pairTo = to;
    update();
}

void PointCloudView::setCaption(const QString& caption) {
    m_caption = caption;
    update();
}

Eigen::Vector3d PointCloudView::project(const Scalar* v, Index stride) const {
    Eigen::Vector3d p(0, 0, 0);
    for (int k = 0; k < m_dims; ++k) p[k] = double(v[k * stride]);
    p -= m_center;
    if (m_dims < 3) return {p.x(), p.y(), 0};
    // Turn about the vertical axis (yaw), then tilt towards the viewer (pitch).
    const double cy = std::cos(m_yaw), sy = std::sin(m_yaw), cp = std::cos(m_pitch), sp = std::sin(m_pitch);
    const double x = cy * p.x() + sy * p.z();
    const double z = -sy * p.x() + cy * p.z();
    const double y = cp * p.y() - sp * z;
    return {x, y, sp * p.y() + cp * z};
}

bool PointCloudView::drawable(const QPointF& p) {
    // A diverged model can decode to inf or NaN; such points are not drawn.
    return std::isfinite(p.x()) && std::isfinite(p.y()) && std::abs(p.x()) < 1e6 && std::abs(p.y()) < 1e6;
}

QPointF PointCloudView::toScreen(const Eigen::Vector3d& p) const {
    const double scale = 0.46 * std::min(width(), height()) / m_radius;
    return {width() / 2.0 + p.x() * scale, height() / 2.0 - p.y() * scale};
}

const QImage& PointCloudView::cloudImage() {
    const qreal dpr = devicePixelRatioF();
    const QSize pixels = (QSizeF(size()) * dpr).toSize();
    if (!m_cloudImage.isNull() && m_cloudImage.size() == pixels && m_cloudImage.devicePixelRatio() == dpr &&
        m_cloudYaw == m_yaw && m_cloudPitch == m_pitch)
        return m_cloudImage;
    ++m_cloudRenders;
    m_cloudYaw = m_yaw;
    m_cloudPitch = m_pitch;
    m_cloudImage = QImage(pixels, QImage::Format_ARGB32_Premultiplied);
    m_cloudImage.setDevicePixelRatio(dpr);
    m_cloudImage.fill(Qt::transparent);
    QPainter p(&m_cloudImage);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(Qt::NoPen);
    for (Index i = 0; i < m_cloud.cols(); ++i) {
        p.setBrush(m_colors[size_t(i)]);
        p.drawEllipse(toScreen(project(m_cloud.col(i).data(), 1)), 1.6, 1.6);
    }
    return m_cloudImage;
}

void PointCloudView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (m_cloud.cols() > 0) p.drawImage(QPointF(0, 0), cloudImage());
    p.setRenderHint(QPainter::Antialiasing, true);
    const Index pairs = std::min(m_pairFrom.cols(), m_pairTo.cols());
    if (m_dims > 0 && pairs > 0 && m_pairFrom.rows() >= m_dims && m_pairTo.rows() >= m_dims) {
        p.setPen(QPen(QColor(200, 40, 40, 150), 1));
        for (Index i = 0; i < pairs; ++i) {
            const QPointF a = toScreen(project(m_pairFrom.col(i).data(), 1));
            const QPointF b = toScreen(project(m_pairTo.col(i).data(), 1));
            if (!drawable(a) || !drawable(b)) continue;
            p.drawLine(a, b);
            p.setBrush(QColor(200, 40, 40));
            p.drawEllipse(b, 1.8, 1.8);
        }
    }
    if (m_dims > 0 && m_markers.rows() >= m_dims) {
        p.setPen(QPen(Qt::black, 1.2));
        p.setBrush(m_markerColor);
        for (Index i = 0; i < m_markers.cols(); ++i) {
            const QPointF q = toScreen(project(m_markers.col(i).data(), 1));
            if (drawable(q)) p.drawEllipse(q, m_markerRadius, m_markerRadius);
        }
    }
    p.setPen(palette().color(QPalette::Text));
    if (showsNothing()) {
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, m_caption);
        return;
    }
    p.drawText(rect().adjusted(6, 4, -6, -4), Qt::AlignLeft | Qt::AlignTop, shownCaption().join('\n'));
}

bool PointCloudView::showsNothing() const {
    return m_cloud.cols() == 0 && m_markers.cols() == 0 && std::min(m_pairFrom.cols(), m_pairTo.cols()) == 0;
}

QStringList PointCloudView::shownCaption() const {
    QStringList lines = m_caption.isEmpty() ? QStringList() : m_caption.split('\n');
    if (m_dims == 3 && !showsNothing()) lines << tr("drag to rotate");
    for (QString& line : lines) line = fontMetrics().elidedText(line, Qt::ElideRight, std::max(0, width() - 12));
    return lines;
}

void PointCloudView::mousePressEvent(QMouseEvent* event) { m_lastMouse = event->pos(); }

void PointCloudView::mouseMoveEvent(QMouseEvent* event) {
    if (m_dims < 3 || !(event->buttons() & Qt::LeftButton)) return;
    const QPoint d = event->pos() - m_lastMouse;
    m_lastMouse = event->pos();
    m_yaw += d.x() * 0.01;
    m_pitch = std::clamp(m_pitch + d.y() * 0.01, -1.5, 1.5);
    update();
}

} // namespace latentlab::gui
