// A picture scaled to fit its widget with sharp (nearest-neighbour) pixels, so a 28 x 28
// digit is shown as large blocks rather than a blur.
#pragma once

#include <QImage>
#include <QWidget>

namespace latentlab::gui {

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
    QImage m_image;
    QString m_caption;
};

} // namespace latentlab::gui
