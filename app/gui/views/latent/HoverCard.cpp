#include "views/latent/HoverCard.h"

#include "training/Decoding.h"

#include <QHBoxLayout>
#include <QLabel>
#include <cmath>

namespace latentlab::gui {

HoverCard::HoverCard(QWidget* parent) : QFrame(parent) {
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setAttribute(Qt::WA_TransparentForMouseEvents);
    m_image = new QLabel;
    m_text = new QLabel;
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_image);
    layout->addWidget(m_text);
    hide();
}

void HoverCard::showSample(const data::Dataset& d, Index row, const QPoint& pos) {
    m_row = int(row);
    QString label;
    if (d.labelKind == data::LabelKind::Class) {
        const int c = int(std::lround(d.labels[size_t(row)]));
        label = c >= 0 && size_t(c) < d.classNames.size() ? QString::fromStdString(d.classNames[size_t(c)])
                                                           : QString::number(c);
        label = QString::fromStdString(d.labelName.empty() ? "label" : d.labelName) + ": " + label;
    } else if (d.labelKind == data::LabelKind::Continuous) {
        label = QString::fromStdString(d.labelName) + " = " + QString::number(double(d.labels[size_t(row)]), 'f', 2);
    }
    QString text = "<b>" + tr("sample %1").arg(row) + "</b>";
    if (row >= d.trainRows && d.trainRows > 0) text += tr(" (test)");
    if (!label.isEmpty()) text += "<br>" + label.toHtmlEscaped();
    if (d.isImage()) {
        m_image->setPixmap(QPixmap::fromImage(sampleImage(d, row).scaled(d.imageWidth * 3, d.imageHeight * 3)));
        m_image->show();
    } else {
        QStringList xs;
        for (Index c = 0; c < std::min<Index>(d.cols, 4); ++c) xs << QString::number(double(d.value(row, c)), 'f', 2);
        text += "<br>x = (" + xs.join(", ") + (d.cols > 4 ? ", …)" : ")");
        m_image->hide();
    }
    m_text->setText(text);
    adjustSize();
    // Beside the cursor, flipped to the other side near the right or bottom edge.
    QPoint at = pos + QPoint(16, 16);
    if (at.x() + width() > parentWidget()->width()) at.rx() = pos.x() - width() - 16;
    if (at.y() + height() > parentWidget()->height()) at.ry() = pos.y() - height() - 16;
    move(at);
    raise();
    show();
}

} // namespace latentlab::gui
