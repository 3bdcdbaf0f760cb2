#include "views/output/ImageView.h"

#include "RunFiles.h"

#include <QBuffer>
#include <QContextMenuEvent>
#include <QFileInfo>
#include <QImageWriter>
#include <QMenu>
#include <QPainter>
#include <cmath>
#include <vector>
#include <stdexcept>

namespace latentlab::gui {

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent); // paintEvent fills every pixel
}

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

void drawNearest(const QImage& image, QImage& canvas, const QRect& target) {
    if (image.isNull() || target.isEmpty() || canvas.format() != QImage::Format_ARGB32_Premultiplied) return;
    const QImage src = image.format() == QImage::Format_ARGB32_Premultiplied
                           ? image
                           : image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
    const QRect area = target & canvas.rect();
    std::vector<int> column(size_t(std::max(0, area.width())));
    for (int x = area.left(); x <= area.right(); ++x)
        column[size_t(x - area.left())] = int((long long)(x - target.left()) * src.width() / target.width());
    for (int y = area.top(); y <= area.bottom(); ++y) {
        const int sy = int((long long)(y - target.top()) * src.height() / target.height());
        const auto* in = reinterpret_cast<const QRgb*>(src.constScanLine(sy));
        auto* out = reinterpret_cast<QRgb*>(canvas.scanLine(y)) + area.left();
        for (int i = 0; i < area.width(); ++i) {
            const QRgb s = in[column[size_t(i)]];
            const int a = qAlpha(s);
            if (a == 255) {
                out[i] = s;
            } else if (a > 0) { // premultiplied "source over"
                const QRgb d = out[i];
                const int k = 255 - a;
                auto mix = [k](int sc, int dc) { return sc + (dc * k + 127) / 255; };
                out[i] = qRgba(mix(qRed(s), qRed(d)), mix(qGreen(s), qGreen(d)), mix(qBlue(s), qBlue(d)),
                               mix(a, qAlpha(d)));
            }
        }
    }
}

void ImageView::paintEvent(QPaintEvent*) {
    // The whole view is drawn into a picture of its own and shown with one copy. Qt's
    // raster engine hands large fills and scaled images to its global thread pool and
    // waits for them; with training on every core those threads wait for a core too, and
    // a drag step on the plane waited ~1 ms longer with the decoder view large (measured
    // with --perf-report --all-views). QImage::fill, drawNearest, the caption's few rows
    // of text and one unscaled copy stay on this thread.
    const qreal dpr = devicePixelRatioF();
    const QSize pixels = (QSizeF(size()) * dpr).toSize();
    const QColor background = palette().color(backgroundRole());
    if (m_canvas.size() != pixels || m_canvasKey != m_image.cacheKey() || m_canvasCaption != m_caption ||
        m_canvasBackground != background) {
        m_canvas = QImage(pixels, QImage::Format_ARGB32_Premultiplied);
        m_canvas.setDevicePixelRatio(dpr);
        m_canvas.fill(background);
        drawNearest(m_image, m_canvas, imageRect(dpr));
        QPainter p(&m_canvas);
        p.setFont(font()); // a painter on an image starts with the application's font
        p.setPen(palette().color(QPalette::WindowText)); // readable on a dark palette too
        if (m_image.isNull())
            p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, m_caption);
        else if (captionHeight() > 0)
            p.drawText(QRect(0, height() - captionHeight(), width(), captionHeight()), Qt::AlignCenter, shownCaption());
        m_canvasKey = m_image.cacheKey();
        m_canvasCaption = m_caption;
        m_canvasBackground = background;
    }
    QPainter p(this);
    p.drawImage(QPoint(0, 0), m_canvas);
}

int ImageView::captionHeight() const { return m_caption.isEmpty() ? 0 : fontMetrics().height() + 4; }

QRect ImageView::imageRect(qreal dpr) const {
    const QRect area = rect().adjusted(2, 2, -2, -2 - captionHeight());
    if (m_image.isNull() || area.width() <= 0 || area.height() <= 0) return {};
    // Whole multiples of the image size when there is room keep every pixel square.
    const double fit = std::min(double(area.width()) / m_image.width(), double(area.height()) / m_image.height());
    const double scale = fit >= 1 ? std::floor(fit) : fit;
    const QSize size(std::max(1, int(std::lround(m_image.width() * scale * dpr))),
                     std::max(1, int(std::lround(m_image.height() * scale * dpr))));
    const QSizeF logical = QSizeF(size) / dpr;
    const QPointF at(area.center().x() - logical.width() / 2 + 1, area.top() + (area.height() - logical.height()) / 2);
    return {QPoint(int(std::lround(at.x() * dpr)), int(std::lround(at.y() * dpr))), size};
}

} // namespace latentlab::gui
