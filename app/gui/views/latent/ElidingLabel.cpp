#include "views/latent/ElidingLabel.h"

#include <QResizeEvent>
#include <algorithm>

namespace latentlab::gui {

ElidingLabel::ElidingLabel(QWidget* parent) : QLabel(parent) {
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    setTextFormat(Qt::PlainText);
}

void ElidingLabel::setFullText(const QString& text) {
    m_full = text;
    elide();
}

void ElidingLabel::resizeEvent(QResizeEvent* event) {
    QLabel::resizeEvent(event);
    elide();
}

void ElidingLabel::changeEvent(QEvent* event) {
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) elide();
}

void ElidingLabel::elide() {
    const int room = std::max(0, contentsRect().width());
    const QString shown = fontMetrics().elidedText(m_full, Qt::ElideRight, room);
    if (shown != text()) setText(shown); // an unchanged text lays nothing out again
}

} // namespace latentlab::gui
