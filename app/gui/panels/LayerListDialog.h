// Editing an encoder's or a decoder's layers one by one: the list with each layer's
// output shape on the left, the chosen layer's settings on the right (only those its kind
// has: a convolution's channels, kernel, stride and padding, a pooling window, an upsampling
// factor, a reshape's target), and below, whether the whole model fits the data. The model
// panel opens it from "Edit layers"; what it returns goes through the panel like typed text.
#pragma once

#include "latentlab/ModelConfig.h"

#include <QDialog>

#include <optional>
#include <vector>

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace latentlab::gui {

class LayerListDialog : public QDialog {
    Q_OBJECT

public:
    enum class Side { Encoder, Decoder };

    // `model` is the panel's model on its data (input shape, latent size, the other side's
    // layers); the dialog edits `side`'s list of it.
    LayerListDialog(const ModelConfig& model, Side side, QWidget* parent = nullptr);

    const std::vector<LayerSpec>& specs() const { return m_specs; }
    // Whether the edited list makes a model (OK is enabled only then).
    bool fits() const { return m_fits; }

    // The kinds, as LayerSpec spells them, in the order of the Add menu and the kind box.
    static const std::vector<QString>& kinds();

    // For tests and keyboard users alike: the widgets.
    QListWidget* list() const { return m_list; }
    QComboBox* kindBox() const { return m_kind; }
    QSpinBox* unitsBox() const { return m_units; }
    QSpinBox* kernelBox() const { return m_kernel; }
    QSpinBox* strideBox() const { return m_stride; }
    QSpinBox* paddingBox() const { return m_padding; }
    QSpinBox* outputPaddingBox() const { return m_outputPadding; }
    QSpinBox* scaleBox() const { return m_scale; }
    QLineEdit* shapeEdit() const { return m_shape; }
    QComboBox* activationBox() const { return m_activation; }
    QLabel* status() const { return m_status; }
    QFormLayout* settingsForm() const { return m_form; }
    QPushButton* okButton() const;

    // Adds a layer of `kind` after the selected one (at the end when none is) and selects it.
    void addLayer(const QString& kind);
    void removeSelected();
    // -1 up, +1 down.
    void moveSelected(int by);

private:
    // A layer of `kind` with settings that suit samples of shape `input`, keeping what it
    // can of `from` (changing a conv into a convt keeps its channels and kernel).
    static LayerSpec defaultSpec(const QString& kind, const Shape& input, const LayerSpec* from);
    // The shape going into layer `row`, or nullopt when an earlier layer does not fit.
    std::optional<Shape> inputOf(int row) const;
    void showSelected();   // fields of the selected layer
    void fieldsChanged();  // fields back into the selected spec
    void refresh();        // list texts, shapes and the verdict

    ModelConfig m_model;
    Side m_side;
    std::vector<LayerSpec> m_specs;
    bool m_fits = false;
    bool m_updating = false;

    QListWidget* m_list;
    QToolButton* m_add;
    QPushButton* m_remove;
    QPushButton* m_up;
    QPushButton* m_down;
    QFormLayout* m_form;
    QComboBox* m_kind;
    QSpinBox* m_units;
    QSpinBox* m_kernel;
    QSpinBox* m_stride;
    QSpinBox* m_padding;
    QSpinBox* m_outputPadding;
    QSpinBox* m_scale;
    QLineEdit* m_shape;
    QComboBox* m_activation;
    QLabel* m_none;
    QLabel* m_status;
    QDialogButtonBox* m_buttons;
};

} // namespace latentlab::gui
