#include "views/output/ImageView.h"

#include "RunFiles.h"

#include <QBuffer>
#include <QContextMenuEvent>
#include <QFileInfo>
#include <QImageWriter>
#include <QMenu>
#include <QPainter>
#include <stdexcept>

namespace latentlab::gui {

ImageView::ImageView(QWidget* parent) : QWidget(parent) {}

void ImageView::saveTo(const QString& path, int zoom) const {
    if (m_image.isNull()) throw std::runtime_error((path + ": there is no image yet").toStdString());
    const QByteArray format = QFileInfo(path).suffix().toLower().toLatin1();
    if (!QImageWriter::supportedImageFormats().contains(format))
        throw std::runtime_error((path + ": cannot write images of type '" + QString::fromLatin1(format) +
                                  "' (use .png)").toStdString());
    const int z = std::max(1, zoom);
    const QImage big = m_image.scaled(m_image.size() * z, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!big.save(&buffer, format.constData()))
        throw std::runtime_error((path + ": the image could not be encoded").toStdString());
    app::writeFileAtomic(path, bytes);
}

void ImageView::contextMenuEvent(QContextMenuEvent* event) {
    if (m_image.isNull()) return;
    QMenu menu(this);
    menu.addAction(tr("Save image…"), this, [this] { emit saveRequested(this); });
    menu.exec(event->globalPos());
}

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
