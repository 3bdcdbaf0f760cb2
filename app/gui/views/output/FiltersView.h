// What the first layer learned, for the lecture on convolutions: its filters (a
// convolution's k×k kernels, or a dense layer's weights over the image, one small picture
// per unit; blue negative, red positive, white zero) and the feature maps it makes of one
// sample, the one last under the mouse on the latent plane. Both follow the training.
#pragma once

#include "views/ModelPacer.h"
#include "views/ModelView.h"

#include <QImage>
#include <QWidget>

namespace latentlab::gui {

class ImageView;

// The first layer's filters as a grid; `caption` says what they are. A null image (and a
// caption saying why) when the first layer has no picture to show.
QImage filterImage(const Model& model, const data::Dataset& data, QString* caption);
// The first layer's output for sample `row` of data, one greyscale map per channel.
QImage featureMapImage(const Model& model, const data::Dataset& data, Index row, QString* caption);

class FiltersView : public QWidget, public ModelView {
    Q_OBJECT

public:
    explicit FiltersView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info) override;
    // A new model (a snapshot's decoder clone): both pictures are drawn again from it.
    // Training runs: a newer model shows at most once a second (ModelPacer).
    void snapshotArrived(const TrainingSnapshot& snapshot) override;
    void setModel(std::shared_ptr<const Model> model) override;
    // The sample whose feature maps are shown (-1: keep the last one).
    void setSampleRow(int row);
    int sampleRow() const { return m_row; }
    ImageView* filters() const { return m_filters; }
    ImageView* featureMaps() const { return m_maps; }
    // As the prior samples beside it: the two pictures share the height they are given.
    QSize sizeHint() const override { return {280, 280}; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    void showModel(std::shared_ptr<const Model> model);
    // The feature maps, and the filters too when the model changed.
    void redraw(bool filtersToo);

    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const Model> m_model; // the one shown
    ModelPacer m_pacer{this, [this](std::shared_ptr<const Model> model) { showModel(std::move(model)); }};
    int m_row = 0;
    ImageView* m_filters;
    ImageView* m_maps;
};

} // namespace latentlab::gui
