// A one-line label that shows as much of its text as its width allows, cut with "…" at the
// end, so that a narrow plane's toolbar never shows a word chopped mid-letter. The whole
// text stays available (fullText()), and the label asks for no width of its own.
#pragma once

#include <QLabel>

namespace latentlab::gui {

class ElidingLabel : public QLabel {
    Q_OBJECT

public:
    explicit ElidingLabel(QWidget* parent = nullptr);
    void setFullText(const QString& text);
    const QString& fullText() const { return m_full; }

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override; // a new font or style: cut again

private:
    void elide();
    QString m_full;
};

} // namespace latentlab::gui
