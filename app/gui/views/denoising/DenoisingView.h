// Denoising at inference: a few test images, the same with Gaussian noise of a chosen
// strength, and what the model makes of the noisy ones, with the PSNR of both against the
// clean images. It follows the training (each new model, while its tab shows); eight
// images through the model take well under a millisecond, so it runs on the GUI thread.
#pragma once

#include "training/Decoding.h"
#include "views/ModelPacer.h"
#include "views/ModelView.h"

#include "latentlab/Model.h"

#include <QWidget>
#include <memory>
#include <optional>

class QLabel;
class QPushButton;
class QSlider;

namespace latentlab::gui {

class ImageView;

class DenoisingView : public QWidget, public ModelView {
    Q_OBJECT

public:
    explicit DenoisingView(QWidget* parent = nullptr);

    void setSession(const SessionInfo& info) override;
    // Training runs: a newer model shows at most once a second (ModelPacer).
    void snapshotArrived(const TrainingSnapshot& snapshot) override;
    void setModel(std::shared_ptr<const Model> model) override;
    void setActive(bool active) override;

    QSlider* noiseSlider() const { return m_noise; }
    QPushButton* otherSamplesButton() const { return m_other; }
    const std::optional<Denoised>& shown() const { return m_shown; }
    const std::vector<Index>& rows() const { return m_rows; }
    double noise() const; // the slider's standard deviation, a share of the peak value
    double peak() const;  // 255 for byte images, else 1
    QString psnrText() const;

private:
    void showModel(std::shared_ptr<const Model> model);
    void pickRows();
    void refresh();

    QSlider* m_noise;
    QPushButton* m_other;
    QLabel* m_psnr;
    ImageView* m_images;
    std::shared_ptr<const data::Dataset> m_dataset;
    std::shared_ptr<const Model> m_model; // the one shown
    ModelPacer m_pacer{this, [this](std::shared_ptr<const Model> model) { showModel(std::move(model)); }};
    std::vector<Index> m_rows;
    uint64_t m_draw = 0; // which set of samples
    bool m_active = false;
    std::optional<Denoised> m_shown;
};

} // namespace latentlab::gui
