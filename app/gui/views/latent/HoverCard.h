// The small card that follows the mouse over the latent plane: the sample under it (its
// thumbnail for images, its coordinates otherwise), its label and its number.
#pragma once

#include "latentlab/Dataset.h"
#include "latentlab/Types.h"

#include <QFrame>

class QLabel;

namespace latentlab::gui {

class HoverCard : public QFrame {
    Q_OBJECT

public:
    explicit HoverCard(QWidget* parent);
    // Shows sample `row` of dataset near `pos` (in the parent's coordinates).
    void showSample(const data::Dataset& dataset, Index row, const QPoint& pos);
    int shownRow() const { return isVisible() ? m_row : -1; }

private:
    QLabel* m_image;
    QLabel* m_text;
    int m_row = -1;
};

} // namespace latentlab::gui
