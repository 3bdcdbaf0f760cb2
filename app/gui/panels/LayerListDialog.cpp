#include "panels/LayerListDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace latentlab::gui {

namespace {

QString kindTitle(const QString& kind) {
    if (kind == "dense") return LayerListDialog::tr("Dense (fully connected)");
    if (kind == "conv") return LayerListDialog::tr("Convolution");
    if (kind == "convt") return LayerListDialog::tr("Transposed convolution");
    if (kind == "maxpool") return LayerListDialog::tr("Max pooling");
    if (kind == "avgpool") return LayerListDialog::tr("Average pooling");
    if (kind == "upsample") return LayerListDialog::tr("Upsample (nearest)");
    if (kind == "flatten") return LayerListDialog::tr("Flatten");
    return LayerListDialog::tr("Reshape");
}

bool isPool(const std::string& kind) { return kind == "maxpool" || kind == "avgpool"; }
bool hasActivation(const std::string& kind) { return kind == "dense" || kind == "conv" || kind == "convt"; }

// The data's shape as the encoder sees it (flat when the panel's model has no image shape).
Shape sampleShape(const ModelConfig& m) {
    if (m.inputShape.size() == m.inputDim && m.inputShape.size() > 0) return m.inputShape;
    return Shape::flat(std::max<Index>(1, m.inputDim));
}

QSpinBox* spin(int lo, int hi, const QString& objectName) {
    auto* s = new QSpinBox;
    s->setRange(lo, hi);
    s->setObjectName(objectName);
    return s;
}

} // namespace

const std::vector<QString>& LayerListDialog::kinds() {
    static const std::vector<QString> k{"dense", "conv", "convt", "maxpool", "avgpool", "upsample", "flatten", "reshape"};
    return k;
}

LayerListDialog::LayerListDialog(const ModelConfig& model, Side side, QWidget* parent)
    : QDialog(parent), m_model(model), m_side(side),
      m_specs(side == Side::Encoder ? model.encoderLayers : model.decoderLayers), m_list(new QListWidget),
      m_add(new QToolButton), m_remove(new QPushButton(tr("&Remove"))), m_up(new QPushButton(tr("&Up"))),
      m_down(new QPushButton(tr("Do&wn"))), m_form(new QFormLayout), m_kind(new QComboBox),
      m_units(spin(1, 1 << 24, "units")), m_kernel(spin(1, 64, "kernel")), m_stride(spin(1, 64, "stride")),
      m_padding(spin(0, 64, "padding")), m_outputPadding(spin(0, 63, "outputPadding")), m_scale(spin(1, 64, "scale")),
      m_shape(new QLineEdit), m_activation(new QComboBox), m_none(new QLabel), m_status(new QLabel),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)) {
    const bool encoder = side == Side::Encoder;
    setWindowTitle(encoder ? tr("Encoder layers") : tr("Decoder layers"));
    const Shape sample = sampleShape(model);
    auto* intro = new QLabel(
        encoder ? tr("From a sample (%1) towards the %2-D code, one layer after another. After the last one, the "
                     "values are flattened if they are not yet and a dense layer gives the code%3.")
                      .arg(QString::fromStdString(sample.text()))
                      .arg(model.latentDim)
                      .arg(model.kind == ModelKind::Vae ? tr(" (its mean and log-variance)") : QString())
                : tr("From the %1-D code to a sample (%2). Ending in flat features, the decoder gets a dense "
                     "output layer of %3 values; ending at the sample's shape, it needs none.")
                      .arg(model.latentDim)
                      .arg(QString::fromStdString(sample.text()))
                      .arg(sample.size()));
    intro->setWordWrap(true);

    m_list->setObjectName("layers");
    m_list->setMinimumWidth(320);
    m_add->setText(tr("&Add"));
    m_add->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(m_add);
    for (const QString& kind : kinds())
        menu->addAction(kindTitle(kind), this, [this, kind] { addLayer(kind); });
    m_add->setMenu(menu);
    m_add->setToolTip(tr("Add a layer after the selected one"));
    connect(m_remove, &QPushButton::clicked, this, &LayerListDialog::removeSelected);
    connect(m_up, &QPushButton::clicked, this, [this] { moveSelected(-1); });
    connect(m_down, &QPushButton::clicked, this, [this] { moveSelected(+1); });
    auto* listButtons = new QHBoxLayout;
    for (QWidget* b : {static_cast<QWidget*>(m_add), static_cast<QWidget*>(m_remove), static_cast<QWidget*>(m_up),
                       static_cast<QWidget*>(m_down)})
        listButtons->addWidget(b);
    listButtons->addStretch();
    auto* left = new QVBoxLayout;
    left->addWidget(m_list, 1);
    left->addLayout(listButtons);

    for (const QString& kind : kinds()) m_kind->addItem(kindTitle(kind), kind);
    m_kind->setObjectName("kind");
    for (const std::string& a : activationNames()) m_activation->addItem(QString::fromStdString(a), QString::fromStdString(a));
    m_activation->setObjectName("activation");
    m_shape->setObjectName("shape");
    m_shape->setPlaceholderText("64x7x7");
    m_shape->setToolTip(tr("channels×height×width, or one number for flat features"));
    m_stride->setToolTip(tr("How far the window moves each step; 2 halves the image"));
    m_padding->setToolTip(tr("Rows and columns of zeros around the image; kernel / 2 keeps its size at stride 1"));
    m_outputPadding->setToolTip(tr("Extra rows and columns at the bottom and right, smaller than the stride"));
    m_none->setText(tr("No settings: the same values, as one vector."));
    m_none->setWordWrap(true);
    m_form->addRow(tr("&Kind"), m_kind);
    m_form->addRow(tr("Outputs"), m_units);
    m_form->addRow(tr("Ker&nel"), m_kernel);
    m_form->addRow(tr("&Stride"), m_stride);
    m_form->addRow(tr("&Padding"), m_padding);
    m_form->addRow(tr("&Output padding"), m_outputPadding);
    m_form->addRow(tr("Sc&ale"), m_scale);
    m_form->addRow(tr("Sha&pe"), m_shape);
    m_form->addRow(tr("Ac&tivation"), m_activation);
    m_form->addRow(m_none);
    auto* settings = new QGroupBox(tr("Selected layer"));
    settings->setLayout(m_form);
    settings->setMinimumWidth(260);

    auto* columns = new QHBoxLayout;
    columns->addLayout(left, 3);
    columns->addWidget(settings, 2);
    m_status->setObjectName("status");
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(columns, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    connect(m_list, &QListWidget::currentRowChanged, this, [this] { showSelected(); });
    connect(m_kind, qOverload<int>(&QComboBox::activated), this, [this] {
        const int row = m_list->currentRow();
        if (row < 0 || m_updating) return;
        const QString kind = m_kind->currentData().toString();
        if (kind.toStdString() == m_specs[size_t(row)].kind) return;
        const std::optional<Shape> in = inputOf(row);
        m_specs[size_t(row)] = defaultSpec(kind, in.value_or(Shape::flat(1)), &m_specs[size_t(row)]);
        showSelected();
        refresh();
    });
    for (QSpinBox* s : {m_units, m_kernel, m_stride, m_padding, m_outputPadding, m_scale})
        connect(s, qOverload<int>(&QSpinBox::valueChanged), this, [this] { fieldsChanged(); });
    connect(m_activation, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { fieldsChanged(); });
    connect(m_shape, &QLineEdit::textChanged, this, [this] { fieldsChanged(); });

    refresh();
    m_list->setCurrentRow(m_specs.empty() ? -1 : 0);
    showSelected();
    resize(720, 420);
}

QPushButton* LayerListDialog::okButton() const { return m_buttons->button(QDialogButtonBox::Ok); }

LayerSpec LayerListDialog::defaultSpec(const QString& kindText, const Shape& input, const LayerSpec* from) {
    const std::string kind = kindText.toStdString();
    const bool fromHasUnits = from && hasActivation(from->kind) && from->units > 0;
    const Activation act = from && hasActivation(from->kind) ? from->activation : Activation::ReLU;
    if (kind == "dense") return LayerSpec::dense(fromHasUnits ? from->units : 64, act);
    const Index channels = fromHasUnits && from->kind != "dense" ? from->units : 16;
    const Index kernel = from && from->kernel > 0 ? from->kernel : 3;
    if (kind == "conv") return LayerSpec::conv(channels, kernel, 1, kernel / 2, act);
    if (kind == "convt") return LayerSpec::convTranspose(channels, kernel, 2, kernel / 2, 1, act);
    if (isPool(kind)) return LayerSpec::pool(kind, from && isPool(from->kind) ? from->kernel : 2, from && isPool(from->kind) ? from->stride : 0);
    if (kind == "upsample") return LayerSpec::upsample(2);
    if (kind == "flatten") return LayerSpec::flatten();
    // reshape: flat features into the largest square image they fill, one channel per
    // square; anything else stays as it is (a reshape to its own size).
    const Index n = input.size();
    if (input.kind == Shape::Kind::Flat && n > 1) {
        for (Index side = Index(std::sqrt(double(n))); side >= 2; --side)
            if (n % (side * side) == 0) return LayerSpec::reshape(Shape::image(n / (side * side), side, side));
    }
    return LayerSpec::reshape(Shape::flat(std::max<Index>(1, n)));
}

std::optional<Shape> LayerListDialog::inputOf(int row) const {
    Shape s = m_side == Side::Encoder ? sampleShape(m_model) : Shape::flat(m_model.latentDim);
    for (int i = 0; i <= row && i < int(m_specs.size()); ++i) {
        // As ModelConfig does: a dense first layer reads an image as flat features.
        if (m_side == Side::Encoder && i == 0 && m_specs[0].kind == "dense") s = Shape::flat(s.size());
        if (i == row) break;
        try {
            s = m_specs[size_t(i)].outputShape(s);
        } catch (const ConfigError&) {
            return std::nullopt;
        }
    }
    return s;
}

void LayerListDialog::addLayer(const QString& kind) {
    const int row = m_list->currentRow() < 0 ? int(m_specs.size()) : m_list->currentRow() + 1;
    // The shape the new layer will see: the output of the one before it.
    Shape in = m_side == Side::Encoder ? sampleShape(m_model) : Shape::flat(m_model.latentDim);
    if (row > 0) {
        if (const std::optional<Shape> before = inputOf(row - 1)) {
            try {
                in = m_specs[size_t(row - 1)].outputShape(*before);
            } catch (const ConfigError&) {
            }
        }
    }
    m_specs.insert(m_specs.begin() + row, defaultSpec(kind, in, nullptr));
    refresh();
    m_list->setCurrentRow(row);
    showSelected();
}

void LayerListDialog::removeSelected() {
    const int row = m_list->currentRow();
    if (row < 0) return;
    m_specs.erase(m_specs.begin() + row);
    refresh();
    m_list->setCurrentRow(std::min(row, int(m_specs.size()) - 1));
    showSelected();
}

void LayerListDialog::moveSelected(int by) {
    const int row = m_list->currentRow();
    const int to = row + by;
    if (row < 0 || to < 0 || to >= int(m_specs.size())) return;
    std::swap(m_specs[size_t(row)], m_specs[size_t(to)]);
    refresh();
    m_list->setCurrentRow(to);
    showSelected();
}

void LayerListDialog::showSelected() {
    const int row = m_list->currentRow();
    const bool any = row >= 0 && row < int(m_specs.size());
    m_remove->setEnabled(any);
    m_up->setEnabled(any && row > 0);
    m_down->setEnabled(any && row + 1 < int(m_specs.size()));
    m_kind->setEnabled(any);
    const std::string kind = any ? m_specs[size_t(row)].kind : std::string();
    const bool conv = kind == "conv" || kind == "convt";
    const bool pool = isPool(kind);
    m_form->setRowVisible(m_units, kind == "dense" || conv);
    m_form->setRowVisible(m_kernel, conv || pool);
    m_form->setRowVisible(m_stride, conv || pool);
    m_form->setRowVisible(m_padding, conv);
    m_form->setRowVisible(m_outputPadding, kind == "convt");
    m_form->setRowVisible(m_scale, kind == "upsample");
    m_form->setRowVisible(m_shape, kind == "reshape");
    m_form->setRowVisible(m_activation, hasActivation(kind));
    m_form->setRowVisible(m_none, kind == "flatten");
    if (!any) return;

    const LayerSpec& s = m_specs[size_t(row)];
    m_updating = true;
    m_kind->setCurrentIndex(m_kind->findData(QString::fromStdString(kind)));
    if (auto* label = qobject_cast<QLabel*>(m_form->labelForField(m_units)))
        label->setText(kind == "dense" ? tr("O&utputs") : tr("&Channels"));
    if (auto* label = qobject_cast<QLabel*>(m_form->labelForField(m_kernel)))
        label->setText(pool ? tr("&Window") : tr("Ker&nel"));
    m_units->setValue(int(std::min<Index>(s.units, m_units->maximum())));
    m_kernel->setValue(int(s.kernel));
    m_stride->setValue(int(s.effectiveStride()));
    m_padding->setValue(int(s.padding));
    m_outputPadding->setValue(int(s.outputPadding));
    m_scale->setValue(int(s.scale));
    if (kind == "reshape") {
        const Shape& t = s.shape;
        m_shape->setText(t.kind == Shape::Kind::Image ? QString("%1x%2x%3").arg(t.channels).arg(t.height).arg(t.width)
                                                      : QString::number(t.size()));
    }
    m_shape->setStyleSheet(QString());
    m_activation->setCurrentIndex(m_activation->findData(QString::fromStdString(activationName(s.activation))));
    m_updating = false;
}

void LayerListDialog::fieldsChanged() {
    const int row = m_list->currentRow();
    if (m_updating || row < 0 || row >= int(m_specs.size())) return;
    const std::string kind = m_specs[size_t(row)].kind;
    const Activation act = parseActivation(m_activation->currentData().toString().toStdString());
    const Index units = m_units->value(), kernel = m_kernel->value(), stride = m_stride->value();
    LayerSpec s;
    if (kind == "dense") s = LayerSpec::dense(units, act);
    else if (kind == "conv") s = LayerSpec::conv(units, kernel, stride, m_padding->value(), act);
    else if (kind == "convt") s = LayerSpec::convTranspose(units, kernel, stride, m_padding->value(), m_outputPadding->value(), act);
    else if (isPool(kind)) s = LayerSpec::pool(kind, kernel, stride);
    else if (kind == "upsample") s = LayerSpec::upsample(m_scale->value());
    else if (kind == "flatten") s = LayerSpec::flatten();
    else {
        try {
            s = LayerSpec::parse("reshape " + m_shape->text().trimmed().toStdString());
            m_shape->setStyleSheet(QString());
        } catch (const ConfigError&) {
            m_shape->setStyleSheet("color: #c0392b;");
            return; // keeps the last shape that read
        }
    }
    // One spelling for one layer (a pool's stride equal to its window is the default).
    try {
        s = LayerSpec::parse(s.text());
    } catch (const ConfigError&) {
        // out of range: the verdict below names it
    }
    m_specs[size_t(row)] = s;
    refresh();
}

void LayerListDialog::refresh() {
    const int current = m_list->currentRow();
    const bool blocked = m_list->blockSignals(true);
    m_list->clear();
    std::optional<Shape> shape = m_side == Side::Encoder ? sampleShape(m_model) : Shape::flat(m_model.latentDim);
    for (size_t i = 0; i < m_specs.size(); ++i) {
        const LayerSpec& s = m_specs[i];
        QString out = "?", error;
        if (shape) {
            try {
                if (m_side == Side::Encoder && i == 0 && s.kind == "dense") shape = Shape::flat(shape->size());
                shape = s.outputShape(*shape);
                out = QString::fromStdString(shape->text());
            } catch (const ConfigError& e) {
                error = QString::fromUtf8(e.what());
                shape.reset();
            }
        }
        auto* item = new QListWidgetItem(QString("%1.  %2   → %3")
                                             .arg(i + 1)
                                             .arg(QString::fromStdString(s.label()))
                                             .arg(error.isEmpty() ? out : tr("does not fit")));
        if (!error.isEmpty()) {
            item->setForeground(QColor("#c0392b"));
            item->setToolTip(error);
        }
        m_list->addItem(item);
    }
    m_list->setCurrentRow(std::min(current, int(m_specs.size()) - 1));
    m_list->blockSignals(blocked);

    // The verdict is the model's own: the rules the panel and the trainer apply.
    ModelConfig candidate = m_model;
    (m_side == Side::Encoder ? candidate.encoderLayers : candidate.decoderLayers) = m_specs;
    candidate.inputShape = sampleShape(m_model);
    candidate.inputDim = int(candidate.inputShape.size());
    QString verdict;
    try {
        if (m_specs.empty()) throw ConfigError(m_side == Side::Encoder ? "the encoder needs at least one layer"
                                                                       : "the decoder needs at least one layer");
        candidate.validate();
        verdict = QString::fromStdString(candidate.architectureText());
        m_fits = true;
    } catch (const ConfigError& e) {
        verdict = tr("Not a model yet: %1").arg(QString::fromUtf8(e.what()));
        m_fits = false;
    }
    m_status->setText(verdict);
    m_status->setStyleSheet(m_fits ? "color: palette(mid);" : "color: #c0392b;");
    okButton()->setEnabled(m_fits);
}

} // namespace latentlab::gui
