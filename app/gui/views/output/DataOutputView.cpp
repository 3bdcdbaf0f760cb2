#include "views/output/DataOutputView.h"

#include "views/output/ImageView.h"
#include "views/output/PointCloudView.h"

#include <QStackedWidget>
#include <QVBoxLayout>

namespace latentlab::gui {

DataOutputView::DataOutputView(const QString& toolTip, QWidget* parent)
    : QWidget(parent), m_image(new ImageView), m_cloud(new PointCloudView),
      m_stack(new QStackedWidget) {
    m_stack->addWidget(m_image);
    m_stack->addWidget(m_cloud);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    setToolTip(toolTip);
}

void DataOutputView::showImages(bool images) {
    m_stack->setCurrentWidget(images ? static_cast<QWidget*>(m_image) : m_cloud);
}

} // namespace latentlab::gui
