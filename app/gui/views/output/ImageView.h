// A picture scaled to fit its widget with sharp (nearest-neighbour) pixels, so a 28 x 28
// digit is shown as large blocks rather than a blur.
#pragma once

#include <QColor>
#include <QImage>
#include <QWidget>

namespace latentlab::gui {

// `image` scaled to `target` (device pixels) with nearest-neighbour sampling and drawn
// "source over" into `canvas` (ARGB32 premultiplied; other formats are left alone). A plain
// loop on the calling thread: QImage::scaled and QPainter hand large images to Qt's thread
// pool and wait for it, which a GUI thread beside busy training threads must not do.
void drawNearest(const QImage& image, QImage& canvas, const QRect& target);

class ImageView : public QWidget {
    Q_OBJECT

public:
    explicit ImageView(QWidget* parent = nullptr);
    void setImage(const QImage& image);
    void setCaption(const QString& caption);
    const QImage& image() const { return m_image; }
    // The caption as drawn: below the image, cut with "…" to the width; without an image
    // (a placeholder) it is word-wrapped in the middle of the view instead.
    QString shownCaption() const;
    // The image as a PNG (or another format Qt writes, by the suffix), each pixel a block
    // of `zoom` x `zoom` so a 28 x 28 digit stays sharp; written atomically. Throws with
    // the reason.
    void saveTo(const QString& path, int zoom = 4) const;

    QSize sizeHint() const override { return {280, 280}; }
    QSize minimumSizeHint() const override { return {84, 84}; }

signals:
    // "Save image…" chosen in the view's context menu; the window asks for the file.
    void saveRequested(latentlab::gui::ImageView* view);

protected:
    void paintEvent(QPaintEvent*) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    int captionHeight() const;
    QRect imageRect(qreal dpr) const; // where the image goes, in device pixels

    QImage m_image;
    QString m_caption;
    // What paintEvent last drew, and what it drew from.
    QImage m_canvas;
    qint64 m_canvasKey = 0;
    QString m_canvasCaption;
    QColor m_canvasBackground;
};

} // namespace latentlab::gui
