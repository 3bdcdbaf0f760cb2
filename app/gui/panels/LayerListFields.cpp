#include "panels/LayerListFields.h"

#include "panels/LayerListDialog.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace latentlab::gui {

LayerListFields::LayerListFields(QObject* parent)
    : QObject(parent), m_mode(new QComboBox), m_encoder(new QLineEdit), m_decoder(new QLineEdit),
      m_architecture(new QLabel), m_editRow(new QWidget), m_editEncoder(new QPushButton(tr("Encoder…"))),
      m_editDecoder(new QPushButton(tr("Decoder…"))) {
    m_mode->addItem(tr("Dense (widths)"), "dense");
    m_mode->addItem(tr("Layer list (convolutional…)"), "layers");
    m_mode->setToolTip(tr("Dense: hidden layers of the given widths, mirrored by the decoder.\nLayer list: "
                          "the encoder's and the decoder's layers one by one, convolutions included."));
    const QString syntax =
        tr("Layers separated by ';', each one of:\n"
           "  dense 64 relu             fully connected, 64 outputs\n"
           "  conv 16 k3 s2 p1 relu     16 channels, 3×3 kernel, stride 2, padding 1\n"
           "  convt 16 k3 s2 p1 op1     transposed convolution (op: output padding)\n"
           "  maxpool 2 · avgpool 2     pooling over 2×2 windows\n"
           "  upsample 2                each pixel repeated 2×2\n"
           "  flatten · reshape 32x7x7  another shape for the same values\n"
           "An activation (relu, elu, tanh, sigmoid, leaky_relu) may end a dense, conv or convt layer.");
    m_encoder->setObjectName("encoderLayers");
    m_encoder->setToolTip(tr("The encoder's layers from the input on; the code's dense layer (and a flatten "
                             "before it) is added.\n") + syntax);
    m_decoder->setObjectName("decoderLayers");
    m_decoder->setToolTip(tr("The decoder's layers from the code to the sample; ending in flat features, "
                             "it gets a dense output layer.\n") + syntax);
    m_architecture->setObjectName("architecture");
    m_architecture->setWordWrap(true);
    m_architecture->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_architecture->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_editEncoder->setObjectName("editEncoderLayers");
    m_editEncoder->setToolTip(tr("Edit the encoder layer by layer, with each one's settings and output shape"));
    m_editDecoder->setObjectName("editDecoderLayers");
    m_editDecoder->setToolTip(tr("Edit the decoder layer by layer, with each one's settings and output shape"));
    auto* row = new QHBoxLayout(m_editRow);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_editEncoder);
    row->addWidget(m_editDecoder);
    row->addStretch();
    connect(m_editEncoder, &QPushButton::clicked, this, [this] { editInDialog(true); });
    connect(m_editDecoder, &QPushButton::clicked, this, [this] { editInDialog(false); });
}

void LayerListFields::editInDialog(bool encoder) {
    ModelConfig model = m_shown;
    // What the fields hold now, even when it does not fit yet: the editor shows where.
    for (auto [edit, list] : {std::pair{m_encoder, &model.encoderLayers}, std::pair{m_decoder, &model.decoderLayers}}) {
        try {
            *list = parseSpecs(edit->text().toStdString());
        } catch (const ConfigError&) {
            // left as the model had it
        }
    }
    LayerListDialog dialog(model, encoder ? LayerListDialog::Side::Encoder : LayerListDialog::Side::Decoder,
                           m_editEncoder->window());
    if (dialog.exec() != QDialog::Accepted) return;
    QLineEdit* edit = encoder ? m_encoder : m_decoder;
    edit->setText(QString::fromStdString(specsText(dialog.specs())));
    emit listChosen(edit);
}

void LayerListFields::addModeRow(QFormLayout* form) { form->addRow(tr("La&yers"), m_mode); }

void LayerListFields::addListRows(QFormLayout* form) {
    form->addRow(tr("E&ncoder layers"), m_encoder);
    form->addRow(tr("De&coder layers"), m_decoder);
    form->addRow(tr("Edit layers"), m_editRow);
    form->addRow(QString(), m_architecture);
}

void LayerListFields::showRows(QFormLayout* form) const {
    const bool layers = layersMode();
    form->setRowVisible(m_encoder, layers);
    form->setRowVisible(m_decoder, layers);
    form->setRowVisible(m_editRow, layers);
    form->setRowVisible(m_architecture, layers);
}

bool LayerListFields::layersMode() const { return m_mode->currentData().toString() == "layers"; }

void LayerListFields::show(const ModelConfig& model) {
    m_mode->setCurrentIndex(model.layered() ? 1 : 0);
    m_encoder->setText(QString::fromStdString(specsText(model.encoderLayers)));
    m_decoder->setText(QString::fromStdString(specsText(model.decoderLayers)));
}

void LayerListFields::proposeFor(const Shape& in) {
    if (!layersMode() || !m_encoder->text().trimmed().isEmpty()) return;
    if (in.kind == Shape::Kind::Image && in.height % 4 == 0 && in.width % 4 == 0) {
        m_encoder->setText("conv 16 k3 s2 p1 relu; conv 32 k3 s2 p1 relu");
        m_decoder->setText(QString("dense %1 relu; reshape 32x%2x%3; convt 16 k3 s2 p1 op1 relu; convt %4 k3 s2 p1 op1")
                               .arg(32 * (in.height / 4) * (in.width / 4))
                               .arg(in.height / 4)
                               .arg(in.width / 4)
                               .arg(in.channels));
    } else {
        m_encoder->setText("dense 64 elu; dense 64 elu");
        m_decoder->setText("dense 64 elu; dense 64 elu");
    }
}

std::optional<std::pair<std::vector<LayerSpec>, std::vector<LayerSpec>>> LayerListFields::edited() const {
    if (!layersMode()) return std::pair{std::vector<LayerSpec>{}, std::vector<LayerSpec>{}};
    try {
        auto encoder = parseSpecs(m_encoder->text().toStdString());
        auto decoder = parseSpecs(m_decoder->text().toStdString());
        if (encoder.empty() && decoder.empty()) return std::nullopt;
        return std::pair{std::move(encoder), std::move(decoder)};
    } catch (const ConfigError&) {
        return std::nullopt;
    }
}

bool LayerListFields::readOut(const ModelConfig& model) {
    m_shown = model;
    const bool layers = layersMode();
    m_architecture->setVisible(layers);
    if (!layers) return m_fits = true;
    QString text, error;
    try {
        for (QLineEdit* edit : {m_encoder, m_decoder}) parseSpecs(edit->text().toStdString());
        if (!model.layered()) throw ConfigError("give at least one layer");
        model.validate();
        text = QString::fromStdString(model.architectureText());
    } catch (const ConfigError& e) {
        error = QString::fromUtf8(e.what());
    }
    m_fits = error.isEmpty();
    m_architecture->setText(m_fits ? text : tr("Not a model yet: %1").arg(error));
    m_architecture->setStyleSheet(m_fits ? "color: palette(mid); font-size: small;" : "color: #c0392b; font-size: small;");
    return m_fits;
}

} // namespace latentlab::gui
