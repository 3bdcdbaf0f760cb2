#include "views/output/ImageView.h"

#include <QPainter>

namespace latentlab::gui {

ImageView::ImageView(QWidget* parent) : QWidget(parent) {}

void ImageView::setImage(const QImage& image) {
    m_image = image;
    update();
}

void ImageView::setCaption(const QString& caption) {
    m_caption = caption;
    update();
}

QString ImageView::shownCaption() const {
    if (m_image.isNull()) return m_caption;
    return fontMetrics().elidedText(m_caption, Qt::ElideRight, std::max(0, width() - 8));
}

void ImageView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setPen(palette().color(QPalette::WindowText)); // readable on a dark palette too
    if (m_image.isNull()) {
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, m_caption);
        return;
    }
    const int captionHeight = m_caption.isEmpty() ? 0 : fontMetrics().height() + 4;
    const QRect area = rect().adjusted(2, 2, -2, -2 - captionHeight);
    if (!m_image.isNull() && area.width() > 0 && area.height() > 0) {
        // Whole multiples of the image size when there is room keep every pixel square.
        const double fit = std::min(double(area.width()) / m_image.width(), double(area.height()) / m_image.height());
        const double scale = fit >= 1 ? std::floor(fit) : fit;
        const QSizeF size(m_image.width() * scale, m_image.height() * scale);
        const QRectF target(area.center().x() - size.width() / 2 + 1, area.top() + (area.height() - size.height()) / 2,
                            size.width(), size.height());
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(target, m_image);
    }
    if (captionHeight > 0)
        p.drawText(QRect(0, height() - captionHeight, width(), captionHeight), Qt::AlignCenter, shownCaption());
}

} // namespace latentlab::gui
