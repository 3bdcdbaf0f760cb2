// The part the decoder view, the prior gallery and the reconstruction strip share: data
// shown either as images or as points against the dataset in a rotatable 3-D view.
#pragma once

#include <QWidget>

class QStackedWidget;

namespace latentlab::gui {

class ImageView;
class PointCloudView;

class DataOutputView : public QWidget {
    Q_OBJECT

public:
    DataOutputView(const QString& toolTip, QWidget* parent = nullptr);

    ImageView* imageView() const { return m_image; }
    PointCloudView* cloudView() const { return m_cloud; }

protected:
    // Shows the image view for image data, else the point cloud.
    void showImages(bool images);

    ImageView* m_image;
    PointCloudView* m_cloud;

private:
    QStackedWidget* m_stack;
};

} // namespace latentlab::gui
