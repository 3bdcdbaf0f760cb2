#include "panels/SettingsPanel.h"

#include "panels/DatasetFields.h"
#include "panels/LayerListFields.h"

#include "panels/ScientificSpinBox.h"
#include "training/TrainingSession.h"

#include "latentlab/CsvReader.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QThread>

namespace latentlab::gui {

namespace {
QString widthsText(const std::vector<int>& w) {
    QStringList parts;
    for (int x : w) parts << QString::number(x);
    return parts.join(", ");
}
} // namespace

SettingsPanel::SettingsPanel(QWidget* parent) : QWidget(parent) {
    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_data = new DatasetFields(this);

    m_holdOut = new QSpinBox;
    m_holdOut->setObjectName("holdOutClass");
    m_holdOut->setRange(-1, 999);
    m_holdOut->setSpecialValueText(tr("none"));
    m_holdOut->setKeyboardTracking(false);
    m_holdOut->setToolTip(tr("Anomaly detection: train without this class, so that the model learns the others "
                             "as normal; the test part keeps every class. The Anomalies view then scores how well "
                             "reconstruction error finds it."));
    m_kind = new QComboBox;
    m_kind->addItem(tr("Autoencoder"), "ae");
    m_kind->addItem(tr("Variational autoencoder (VAE)"), "vae");
    m_kind->setToolTip(tr("Autoencoder: a deterministic code z = E(x).\nVAE: a Gaussian code with a KL "
                          "term that pulls it towards N(0, I), so you can sample new data from the prior."));
    m_widths = new QLineEdit;
    m_widths->setValidator(new QRegularExpressionValidator(QRegularExpression(R"(\s*\d+(\s*,\s*\d+)*\s*,?\s*)"), this));
    m_widths->setToolTip(tr("Widths of the encoder's hidden layers, input side first, e.g. \"512, 256\". "
                            "The decoder mirrors them."));
    m_layers = new LayerListFields(this);
    m_latent = new QSpinBox;
    m_latent->setRange(1, 64);
    m_latent->setKeyboardTracking(false);
    m_latent->setToolTip(tr("Dimensions of the latent code z. With 2 the plane shows the whole code; with "
                            "more you pick which two dimensions to plot."));
    m_activation = new QComboBox;
    for (const std::string& a : activationNames()) m_activation->addItem(QString::fromStdString(a), QString::fromStdString(a));
    m_activation->setToolTip(tr("Non-linearity of the hidden layers (the code and the output stay linear)."));
    m_loss = new QComboBox;
    m_loss->addItem(tr("Mean squared error"), "mse");
    m_loss->addItem(tr("Binary cross-entropy"), "bce");
    m_loss->setToolTip(tr("Reconstruction loss. Cross-entropy suits pixels in [0, 1] (images); squared "
                          "error suits coordinates."));
    m_geometry = new QDoubleSpinBox;
    m_geometry->setRange(0, 100);
    m_geometry->setDecimals(3);
    m_geometry->setSingleStep(0.05);
    m_geometry->setSpecialValueText(tr("off"));
    m_geometry->setKeyboardTracking(false);
    m_geometry->setToolTip(tr("Weight of the geometry term (after Isomap and GRAE): the codes' distances are "
                              "pulled toward the lengths of shortest paths on a graph joining each training "
                              "sample to its nearest neighbours, which lays a curved sheet such as the Swiss "
                              "roll out flat. Off: reconstruction alone. At most 8,192 training samples."));
    m_neighbours = new QSpinBox;
    m_neighbours->setRange(1, 1000);
    m_neighbours->setKeyboardTracking(false);
    m_neighbours->setToolTip(tr("Geometry term: how many nearest neighbours each sample is joined to in the "
                                "graph. Too few and the graph falls apart; too many and paths cut across "
                                "the gaps of the sheet."));
    m_batch = new QSpinBox;
    m_batch->setRange(1, 65536);
    m_batch->setKeyboardTracking(false);
    m_batch->setToolTip(tr("Samples per mini-batch: one optimiser step per batch. Changing it keeps the "
                           "weights and restarts the current epoch."));
    m_lr = new ScientificSpinBox;
    m_lr->setRange(1e-6, 100);
    m_lr->setToolTip(tr("Step size of the optimiser (Adam by default). Applied from the next mini-batch; "
                        "the loss plot marks the change. Too high and the loss turns NaN."));
    m_epochs = new QSpinBox;
    m_epochs->setRange(1, 1000000);
    m_epochs->setKeyboardTracking(false);
    m_epochs->setToolTip(tr("How many passes over the training data to make in total. Raise it after "
                            "training finished to go on."));
    m_beta = new ScientificSpinBox;
    m_beta->setRange(0, 1000);
    m_beta->setToolTip(tr("VAE only: weight of the KL term (beta-VAE). Lower gives sharper reconstructions, "
                          "higher a code closer to N(0, I). Applied from the next mini-batch."));
    m_seed = new QSpinBox;
    m_seed->setRange(0, 2147483647);
    m_seed->setKeyboardTracking(false);
    m_seed->setToolTip(tr("Seed of the weight initialisation and the shuffling: the same seed and thread "
                          "count give the same run."));
    m_threads = new QSpinBox;
    m_threads->setRange(0, std::max(1, QThread::idealThreadCount()));
    m_threads->setKeyboardTracking(false);
    m_threads->setToolTip(tr("CPU threads for training. Automatic uses every core, as latentlab-cli does; "
                             "the window stays responsive (training runs at a lower priority)."));

    m_data->addRows(form);
    form->addRow(tr("Leave out &class"), m_holdOut);
    form->addRow(tr("&Model"), m_kind);
    m_layers->addModeRow(form);
    form->addRow(tr("&Encoder widths"), m_widths);
    m_layers->addListRows(form);
    form->addRow(tr("&Latent dimensions"), m_latent);
    form->addRow(tr("&Activation"), m_activation);
    form->addRow(tr("Reconstruction l&oss"), m_loss);
    form->addRow(tr("&Geometry weight"), m_geometry);
    form->addRow(tr("Graph ne&ighbours"), m_neighbours);
    form->addRow(tr("&Batch size"), m_batch);
    form->addRow(tr("Learning &rate"), m_lr);
    form->addRow(tr("E&pochs"), m_epochs);
    form->addRow(tr("Be&ta (KL weight)"), m_beta);
    form->addRow(tr("&Seed"), m_seed);
    form->addRow(tr("&Threads"), m_threads);
    for (int i = 0; i < form->rowCount(); ++i)
        if (auto* label = form->itemAt(i, QFormLayout::LabelRole))
            if (auto* w = form->itemAt(i, QFormLayout::FieldRole); w && w->widget() && label->widget())
                label->widget()->setToolTip(w->widget()->toolTip());

    setThreadsInUse(TrainingSession::resolveThreads(0));

    // What changed, in the user's words, for the question whether to discard the model.
    auto arch = [this](const QString& setting, const QString& value) {
        if (!m_updating) emit architectureEdited(tr("Change %1").arg(setting), tr("Change the %1 to %2").arg(setting, value));
    };
    auto options = [this] {
        if (!m_updating) emit trainingOptionsEdited();
    };
    connect(m_data->dataset(), qOverload<int>(&QComboBox::activated), this, &SettingsPanel::datasetChosen);
    // activated: only the user's choices, never setConfig's.
    connect(m_data->labelColumn(), qOverload<int>(&QComboBox::activated), this,
            [this, arch] { arch(tr("label column"), m_data->labelColumn()->currentText()); });
    connect(m_data->header(), qOverload<int>(&QComboBox::activated), this, [this, arch] {
        m_data->showCsvColumns(m_data->dataset()->currentData().toString(),
                               m_data->labelColumn()->currentData().toInt());
        arch(tr("header row"), m_data->header()->currentText());
    });
    connect(m_holdOut, qOverload<int>(&QSpinBox::valueChanged), this,
            [this, arch] { arch(tr("class left out of training"), m_holdOut->text()); });
    connect(m_kind, qOverload<int>(&QComboBox::currentIndexChanged), this, [this, arch] {
        updateEnabled();
        arch(tr("model"), m_kind->currentText());
    });
    connect(m_widths, &QLineEdit::editingFinished, this, [this, arch] {
        if (widths() != m_base.model.encoderWidths) arch(tr("encoder widths"), widthsText(widths()));
    });
    connect(m_layers->mode(), qOverload<int>(&QComboBox::activated), this, [this, arch] {
        m_layers->proposeFor(m_base.model.inputShape); // a start for empty lists
        updateEnabled();
        showArchitecture();
        if (!m_layers->layersMode() || m_layers->fits()) arch(tr("layers"), m_layers->mode()->currentText());
    });
    auto applyList = [this, arch](QLineEdit* edit) {
        const auto layers = m_layers->edited();
        if (!layers || !m_layers->fits()) return; // the read-out says what is wrong
        const bool encoder = edit == m_layers->encoder();
        const auto& now = encoder ? layers->first : layers->second;
        if (now != (encoder ? m_base.model.encoderLayers : m_base.model.decoderLayers))
            arch(encoder ? tr("encoder layers") : tr("decoder layers"), QString::fromStdString(specsText(now)));
    };
    for (QLineEdit* edit : {m_layers->encoder(), m_layers->decoder()}) {
        connect(edit, &QLineEdit::textEdited, this, [this] { showArchitecture(); });
        connect(edit, &QLineEdit::editingFinished, this, [applyList, edit] { applyList(edit); });
    }
    connect(m_layers, &LayerListFields::listChosen, this, [this, applyList](QLineEdit* edit) {
        showArchitecture();
        applyList(edit);
    });
    connect(m_latent, qOverload<int>(&QSpinBox::valueChanged), this,
            [arch](int v) { arch(tr("latent dimensions"), QString::number(v)); });
    connect(m_activation, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this, arch] { arch(tr("activation"), m_activation->currentText()); });
    connect(m_loss, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this, arch] { arch(tr("reconstruction loss"), m_loss->currentText().toLower()); });
    connect(m_geometry, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this, arch] {
        updateEnabled();
        arch(tr("geometry weight"), m_geometry->text());
    });
    connect(m_neighbours, qOverload<int>(&QSpinBox::valueChanged), this,
            [arch](int v) { arch(tr("graph neighbours"), QString::number(v)); });
    connect(m_batch, qOverload<int>(&QSpinBox::valueChanged), this, options);
    connect(m_seed, qOverload<int>(&QSpinBox::valueChanged), this, options);
    connect(m_threads, qOverload<int>(&QSpinBox::valueChanged), this, options);
    connect(m_lr, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double v) {
        if (!m_updating) emit learningRateEdited(v);
    });
    connect(m_beta, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double v) {
        if (!m_updating) emit betaEdited(v);
    });
    connect(m_epochs, qOverload<int>(&QSpinBox::valueChanged), this, [this](int v) {
        if (!m_updating) emit epochsEdited(v);
    });
    setConfig(app::loadPreset(app::defaultPresetName()));
}

bool SettingsPanel::isImageDataset(const QString& name) {
    // The catalogue's image sets, or IDX image files; everything else is a table of numbers.
    return name == "mnist" || name == "fashion-mnist" || name.contains("idx3", Qt::CaseInsensitive);
}

bool SettingsPanel::isCsvDataset(const QString& name) {
    return DatasetFields::isCsvFile(name);
}

void SettingsPanel::datasetChosen(int index) {
    if (m_data->isBrowse(index)) {
        m_data->dataset()->setCurrentIndex(m_data->lastIndex());
        emit browseDatasetRequested();
        return;
    }
    if (index == m_data->lastIndex()) return;
    m_data->setLastIndex(index);
    const QString value = m_data->nameAt(index);
    m_updating = true;
    // Another file starts without a label and with the header guessed; back to the
    // configuration's own file, its choices come back.
    const bool configuredFile = value == m_base.dataset.name;
    m_data->setHeaderMode(configuredFile ? m_base.dataset.csvHeader : data::CsvOptions::Header::Auto);
    m_data->showCsvColumns(value, configuredFile ? m_base.dataset.csvLabelColumn : -1);
    // Pixels in [0, 1] are what cross-entropy is for; coordinates want squared error.
    m_loss->setCurrentIndex(m_loss->findData(isImageDataset(value) ? "bce" : "mse"));
    m_updating = false;
    m_data->showInfo(index);
    emit architectureEdited(tr("Switch dataset"),
                            tr("Switch the dataset to %1").arg(m_data->dataset()->itemText(index)));
}

void SettingsPanel::setDatasetFile(const QString& path) {
    const int index = m_data->fileEntry(path);
    m_data->dataset()->setCurrentIndex(index);
    datasetChosen(index);
}

void SettingsPanel::setThreadsInUse(int threads) {
    m_threads->setSpecialValueText(tr("automatic (%1)").arg(threads));
}

void SettingsPanel::setConfig(const app::RunConfig& c) {
    m_updating = true;
    m_base = c;
    // setConfig only ever shows the configuration of a model that exists.
    m_data->select(c.dataset.name);
    m_data->setHeaderMode(c.dataset.csvHeader);
    m_data->showCsvColumns(c.dataset.name, c.dataset.csvLabelColumn);
    m_holdOut->setValue(c.dataset.holdOutClass);
    m_kind->setCurrentIndex(c.model.kind == ModelKind::Vae ? 1 : 0);
    m_widths->setText(widthsText(c.model.encoderWidths));
    m_layers->show(c.model);
    m_latent->setValue(c.model.latentDim);
    m_activation->setCurrentIndex(m_activation->findData(QString::fromStdString(activationName(c.model.activation))));
    m_loss->setCurrentIndex(c.model.loss == ReconstructionLoss::Bce ? 1 : 0);
    m_geometry->setValue(c.model.geometry);
    m_neighbours->setValue(c.model.geometryNeighbours);
    m_batch->setValue(c.training.batchSize);
    m_lr->setValue(c.training.learningRate);
    m_epochs->setValue(std::max(1, c.training.epochs));
    m_beta->setValue(c.model.beta);
    m_seed->setValue(int(c.training.seed));
    m_threads->setValue(c.training.threads);
    updateEnabled();
    showArchitecture();
    m_updating = false;
}

// The shown settings on the current model's data, read out in the layer fields.
void SettingsPanel::showArchitecture() {
    ModelConfig m = config().model;
    m.inputDim = m_base.model.inputDim > 0 ? m_base.model.inputDim : 1;
    m.inputShape = m_base.model.inputShape;
    m_layers->readOut(m);
}

std::vector<int> SettingsPanel::widths() const {
    std::vector<int> out;
    for (const QString& part : m_widths->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int w = part.trimmed().toInt(&ok);
        if (ok && w > 0) out.push_back(std::min(w, 65536));
    }
    return out;
}

app::RunConfig SettingsPanel::config() const {
    app::RunConfig c = m_base;
    m_data->readInto(c.dataset);
    const bool changedData = c.dataset.name != m_base.dataset.name;
    // Another dataset's classes are other classes: a new dataset starts with none left out.
    c.dataset.holdOutClass = changedData ? -1 : m_holdOut->value();
    c.model.kind = m_kind->currentData().toString() == "vae" ? ModelKind::Vae : ModelKind::Autoencoder;
    const std::vector<int> w = widths();
    if (!w.empty()) c.model.encoderWidths = w;
    if (const auto layers = m_layers->edited()) {
        c.model.encoderLayers = layers->first;
        c.model.decoderLayers = layers->second;
    }
    if (c.model.encoderWidths != m_base.model.encoderWidths) c.model.decoderWidths.clear(); // mirror again
    c.model.latentDim = m_latent->value();
    c.model.activation = parseActivation(m_activation->currentData().toString().toStdString());
    c.model.loss = m_loss->currentData().toString() == "bce" ? ReconstructionLoss::Bce : ReconstructionLoss::Mse;
    c.model.beta = m_beta->value();
    c.model.geometry = m_geometry->value();
    c.model.geometryNeighbours = m_neighbours->value();
    c.training.batchSize = m_batch->value();
    c.training.learningRate = m_lr->value();
    c.training.epochs = m_epochs->value();
    c.training.seed = uint64_t(m_seed->value());
    c.training.threads = m_threads->value();
    // Normalisation follows the data and the loss: images by their 0..255 range, anything
    // under cross-entropy into [0, 1] per feature, the rest standardised.
    if (isImageDataset(c.dataset.name))
        c.dataset.normalize = Normalizer::Kind::GlobalMinMax;
    else if (c.model.loss == ReconstructionLoss::Bce)
        c.dataset.normalize = Normalizer::Kind::MinMax;
    else if (changedData || c.dataset.normalize == Normalizer::Kind::GlobalMinMax)
        c.dataset.normalize = Normalizer::Kind::Standardize;
    if (changedData) {
        c.name.clear(); // no longer the preset
        // The sizes of the model before suit the data before: the session proposes new
        // ones from the data once it is loaded (the panel then shows them).
        c.proposeForData = true;
    }
    return c;
}

QComboBox* SettingsPanel::datasetBox() const { return m_data->dataset(); }
QComboBox* SettingsPanel::labelColumnBox() const { return m_data->labelColumn(); }
QComboBox* SettingsPanel::headerBox() const { return m_data->header(); }
QComboBox* SettingsPanel::layersModeBox() const { return m_layers->mode(); }
QLineEdit* SettingsPanel::encoderLayersEdit() const { return m_layers->encoder(); }
QLineEdit* SettingsPanel::decoderLayersEdit() const { return m_layers->decoder(); }
QLabel* SettingsPanel::architectureLabel() const { return m_layers->architecture(); }

void SettingsPanel::updateEnabled() {
    m_beta->setEnabled(m_kind->currentData().toString() == "vae");
    // Only the fields of the chosen way of giving layers.
    if (auto* form = qobject_cast<QFormLayout*>(layout())) {
        const bool layers = m_layers->layersMode();
        form->setRowVisible(m_widths, !layers);
        m_layers->showRows(form);
        form->setRowVisible(m_activation, !layers); // each layer names its own
        form->setRowVisible(m_neighbours, m_geometry->value() > 0);
    }
}

} // namespace latentlab::gui
