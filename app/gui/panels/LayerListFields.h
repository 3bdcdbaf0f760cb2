// The model panel's fields for a layer list (SettingsPanel's "Layers: Layer list"): the
// mode choice, the encoder's and the decoder's layers as text (with buttons that open the
// layer-by-layer editor), and the read-out of the architecture with every shape. The panel places them in its form and decides when an
// edit becomes a new model; what the fields hold and what they say lives here.
#pragma once

#include "latentlab/ModelConfig.h"

#include <QObject>

#include <optional>
#include <utility>
#include <vector>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QWidget;

namespace latentlab::gui {

class LayerListFields : public QObject {
    Q_OBJECT

public:
    explicit LayerListFields(QObject* parent = nullptr);

    QComboBox* mode() const { return m_mode; }
    QLineEdit* encoder() const { return m_encoder; }
    QLineEdit* decoder() const { return m_decoder; }
    QLabel* architecture() const { return m_architecture; }
    QPushButton* editEncoderButton() const { return m_editEncoder; }
    QPushButton* editDecoderButton() const { return m_editDecoder; }

    // Adds the rows (mode first, the read-out last) to the panel's form.
    void addModeRow(QFormLayout* form);
    void addListRows(QFormLayout* form);
    // Shows the rows of the chosen mode only.
    void showRows(QFormLayout* form) const;

    bool layersMode() const;
    // The lists of `model` (and its mode), without emitting anything.
    void show(const ModelConfig& model);
    // Empty lists get a start that suits samples of shape `input`: two stride-2
    // convolutions and their mirror where the image halves twice evenly, dense otherwise.
    void proposeFor(const Shape& input);
    // The lists as edited ({} in widths mode); nullopt when one does not parse or both are
    // empty.
    std::optional<std::pair<std::vector<LayerSpec>, std::vector<LayerSpec>>> edited() const;
    // Reads out `model` (the shown settings on the current data) with every shape, or what
    // is wrong with it in red; whether it makes a model.
    bool readOut(const ModelConfig& model);
    bool fits() const { return m_fits; }

signals:
    // The layer editor (LayerListDialog) was accepted and `edit` holds its list.
    void listChosen(QLineEdit* edit);

private:
    // Opens the layer editor on the last read-out model, for the encoder or the decoder.
    void editInDialog(bool encoder);

    QComboBox* m_mode;
    QLineEdit* m_encoder;
    QLineEdit* m_decoder;
    QLabel* m_architecture;
    QWidget* m_editRow;
    QPushButton* m_editEncoder;
    QPushButton* m_editDecoder;
    ModelConfig m_shown; // what readOut last read out
    bool m_fits = true;
};

} // namespace latentlab::gui
