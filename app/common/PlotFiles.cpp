#include "PlotFiles.h"

#include "RunConfig.h"
#include "RunFiles.h"

#include <QBuffer>
#include <QFileInfo>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <algorithm>
#include <cmath>

namespace latentlab::app {

QImage greyImage(const Scalar* values, int width, int height) {
    QImage image(width, height, QImage::Format_Grayscale8);
    for (int y = 0; y < height; ++y) {
        uchar* line = image.scanLine(y);
        for (int x = 0; x < width; ++x) {
            const double v = double(values[y * width + x]);
            line[x] = uchar(std::isfinite(v) ? std::clamp(std::lround(v), 0L, 255L) : 0);
        }
    }
    return image;
}

QImage imageGrid(const Matrix& images, int width, int height, int columns, int scale) {
    const int n = int(images.cols());
    columns = std::max(1, std::min(columns, n));
    const int rows = std::max(1, (n + columns - 1) / columns);
    const int cell = width * scale + 1, cellH = height * scale + 1;
    QImage grid(columns * cell - 1, rows * cellH - 1, QImage::Format_RGB32);
    grid.fill(QColor(200, 200, 200));
    QPainter p(&grid);
    for (int i = 0; i < n; ++i) {
        const Vector col = images.col(i);
        const QImage img = greyImage(col.data(), width, height).scaled(width * scale, height * scale);
        p.drawImage((i % columns) * cell, (i / columns) * cellH, img);
    }
    return grid;
}

QByteArray pngBytes(const QImage& image) {
    QByteArray bytes;
    QBuffer buf(&bytes);
    buf.open(QIODevice::WriteOnly);
    if (!image.save(&buf, "PNG"))
        throw ConfigFileError(QString("could not encode a %1x%2 PNG").arg(image.width()).arg(image.height()).toStdString());
    return bytes;
}

void saveImage(const QString& path, const QImage& image) { writeFileAtomic(path, pngBytes(image)); }

QSize PlotPage::pixels() const {
    const double perPoint = dpi / 72.0;
    return {int(std::lround(size.width() * perPoint)), int(std::lround(size.height() * perPoint))};
}

QString PlotPage::problem() const {
    if (!(size.width() >= kMinSide && size.width() <= kMaxSide && size.height() >= kMinSide &&
          size.height() <= kMaxSide))
        return QString("size %1x%2 points is out of range (each side %3..%4)")
            .arg(size.width(), 0, 'g', 6)
            .arg(size.height(), 0, 'g', 6)
            .arg(kMinSide)
            .arg(kMaxSide);
    if (!(dpi >= kMinDpi && dpi <= kMaxDpi))
        return QString("resolution %1 dpi is out of range (%2..%3)").arg(dpi, 0, 'g', 6).arg(kMinDpi).arg(kMaxDpi);
    const QSize px = pixels();
    if (qint64(px.width()) * px.height() > kMaxPixels)
        return QString("%1x%2 pixels is more than a PNG of %3 million pixels; lower the size or the dpi")
            .arg(px.width())
            .arg(px.height())
            .arg(kMaxPixels / 1'000'000);
    return {};
}

std::optional<QSizeF> parsePlotSize(const QString& text) {
    const QStringList parts = text.trimmed().toLower().split('x');
    if (parts.size() != 2) return std::nullopt;
    bool okW = false, okH = false;
    const double w = parts[0].trimmed().toDouble(&okW), h = parts[1].trimmed().toDouble(&okH);
    if (!okW || !okH || !std::isfinite(w) || !std::isfinite(h)) return std::nullopt;
    return QSizeF(w, h);
}

namespace {
void requireDrawable(const QString& where, const PlotPage& page) {
    const QString problem = page.problem();
    if (!problem.isEmpty()) throw ConfigFileError((where + ": " + problem).toStdString());
}
} // namespace

void paintImageFitted(QPainter& p, const QRectF& area, const QImage& image) {
    if (image.isNull() || area.isEmpty()) return;
    const double scale = std::min(area.width() / image.width(), area.height() / image.height());
    const QSizeF drawn(image.width() * scale, image.height() * scale);
    const QRectF target(area.center() - QPointF(drawn.width() / 2, drawn.height() / 2), drawn);
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, scale < 1);
    p.drawImage(target, image);
    p.restore();
}

QByteArray plotPng(const PlotPage& page, const std::function<void(QPainter&, const QRectF&)>& paint) {
    requireDrawable("PNG", page);
    QImage img(page.pixels(), QImage::Format_ARGB32_Premultiplied);
    if (img.isNull())
        throw ConfigFileError(QString("no memory for a %1x%2 PNG").arg(page.pixels().width()).arg(page.pixels().height()).toStdString());
    img.setDevicePixelRatio(page.dpi / 72.0); // the painters work in points
    const int dotsPerMeter = int(std::lround(page.dpi / 0.0254));
    img.setDotsPerMeterX(dotsPerMeter);
    img.setDotsPerMeterY(dotsPerMeter);
    img.fill(Qt::white);
    {
        QPainter p(&img);
        paint(p, QRectF(QPointF(0, 0), page.size));
    }
    return pngBytes(img);
}

void savePlot(const QString& path, const PlotPage& page, const std::function<void(QPainter&, const QRectF&)>& paint) {
    const QSizeF size = page.size;
    if (path.endsWith(".png", Qt::CaseInsensitive)) {
        requireDrawable(path, page);
        writeFileAtomic(path, plotPng(page, paint));
    } else if (path.endsWith(".pdf", Qt::CaseInsensitive)) {
        requireDrawable(path, page);
        QByteArray bytes;
        QBuffer buf(&bytes);
        buf.open(QIODevice::WriteOnly);
        {
            QPdfWriter pdf(&buf);
            pdf.setResolution(72);
            pdf.setPageSize(QPageSize(size, QPageSize::Point));
            pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
            QPainter p(&pdf);
            paint(p, QRectF(QPointF(0, 0), size));
        }
        writeFileAtomic(path, bytes);
    } else if (path.endsWith(".svg", Qt::CaseInsensitive)) {
        requireDrawable(path, page);
        QByteArray bytes;
        QBuffer buf(&bytes);
        buf.open(QIODevice::WriteOnly);
        {
            const QSize whole = size.toSize();
            QSvgGenerator svg;
            svg.setOutputDevice(&buf);
            svg.setSize(whole);
            svg.setViewBox(QRectF(QPointF(0, 0), size));
            svg.setResolution(72); // one SVG user unit per point, as the PDF
            svg.setTitle(QFileInfo(path).completeBaseName());
            svg.setDescription("Drawn by Latent Lab");
            QPainter p(&svg);
            paint(p, QRectF(QPointF(0, 0), size));
        }
        writeFileAtomic(path, bytes);
    } else {
        throw ConfigFileError((path + ": unknown plot format (use .png, .svg or .pdf)").toStdString());
    }
}

} // namespace latentlab::app
