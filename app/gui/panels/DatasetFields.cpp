#include "panels/DatasetFields.h"

#include "latentlab/Catalogue.h"
#include "latentlab/CsvReader.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QStandardItemModel>

#include <algorithm>

namespace latentlab::gui {

namespace {
const char* kBrowse = "__browse__";

// Marks the Dataset list's entries that are files chosen by the user (not the catalogue's).
constexpr int kUserFileRole = Qt::UserRole + 2;

QString labelColumnTip() {
    return DatasetFields::tr("CSV files: the column holding each sample's label, which colours the latent plane "
                             "(whole numbers are classes). It is not learned from. None: every column is a "
                             "feature.\n\nColumns count from 1 here, as in error messages; a configuration "
                             "file's \"labelColumn\" counts from 0 (column 5 is \"labelColumn\": 4).");
}

// Text with a break opportunity (a zero-width space) after every '/', '_', '-' and '.' and
// every 24 characters without one, so that a word-wrapped label can break a long path.
QString breakablePath(const QString& text) {
    QString out;
    int run = 0;
    for (const QChar ch : text) {
        out += ch;
        ++run;
        if (ch == '/' || ch == '_' || ch == '-' || ch == '.' || run >= 24) {
            out += QChar(0x200B);
            run = 0;
        } else if (ch.isSpace()) {
            run = 0;
        }
    }
    return out;
}
} // namespace

DatasetFields::DatasetFields(QObject* parent)
    : QObject(parent), m_dataset(new QComboBox), m_info(new QLabel), m_labelColumn(new QComboBox),
      m_header(new QComboBox) {
    m_dataset->setObjectName("dataset");
    m_dataset->setToolTip(tr("The data to learn from. Generated sets are made on the spot; MNIST and "
                                            "Fashion-MNIST are read from disk (hover an entry to see where). "
                                            "\"Other file…\" opens your own CSV (one sample per row) or IDX images."));
    m_info->setWordWrap(true);
    m_info->setStyleSheet("color: palette(mid); font-size: small;");
    // A long folder name must wrap inside the panel, not widen it (see breakablePath).
    m_info->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_labelColumn->setToolTip(labelColumnTip());
    m_header->addItem(tr("automatic"), "auto");
    m_header->addItem(tr("yes: names"), "yes");
    m_header->addItem(tr("no: data"), "no");
    m_header->setToolTip(tr("CSV files: whether the first row names the columns (yes) or is data "
                                           "(no). Automatic takes it as names only if none of its cells is a "
                                           "number, so a typo in a first row of data is reported, not dropped."));
    fill();
}

void DatasetFields::addRows(QFormLayout* form) {
    m_form = form;
    form->addRow(tr("&Dataset"), m_dataset);
    form->addRow(QString(), m_info);
    form->addRow(tr("Label col&umn"), m_labelColumn);
    form->addRow(tr("&Header row"), m_header);
}

void DatasetFields::fill() {
    const data::Catalogue catalogue;
    auto* model = qobject_cast<QStandardItemModel*>(m_dataset->model());
    for (const data::CatalogueEntry& e : catalogue.entries()) {
        const QString name = QString::fromStdString(e.name);
        m_dataset->addItem(e.available ? name : name + tr(" (missing)"), name);
        const int row = m_dataset->count() - 1;
        // "From:" so that a location of "generated" does not read as the description's last word.
        m_dataset->setItemData(row, QString::fromStdString(e.description) + "\n" +
                                        tr("From: %1").arg(QString::fromStdString(e.location)),
                               Qt::ToolTipRole);
        if (!e.available && model) model->item(row)->setEnabled(false);
    }
    m_dataset->insertSeparator(m_dataset->count());
    m_dataset->addItem(tr("Other file…"), QString(kBrowse));
}

bool DatasetFields::isCsvFile(const QString& name) {
    return name.endsWith(".csv", Qt::CaseInsensitive); // as app::loadDataset tells them
}

QString DatasetFields::nameAt(int index) const { return m_dataset->itemData(index).toString(); }

bool DatasetFields::isBrowse(int index) const { return nameAt(index) == kBrowse; }

void DatasetFields::select(const QString& name) {
    int index = m_dataset->findData(name);
    if (index < 0 || m_dataset->itemData(index, kUserFileRole).toBool()) m_usedFiles.insert(name);
    forgetRefusedFiles(name);
    index = m_dataset->findData(name);
    if (index < 0) index = fileEntry(name);
    m_dataset->setCurrentIndex(index);
    m_lastIndex = index;
    showInfo(index);
}

int DatasetFields::fileEntry(const QString& path) {
    int index = m_dataset->findData(path);
    if (index < 0) {
        index = m_dataset->count() - 2; // before the separator and "Other file…"
        m_dataset->insertItem(index, QFileInfo(path).fileName(), path);
        m_dataset->setItemData(index, path, Qt::ToolTipRole);
        m_dataset->setItemData(index, true, kUserFileRole);
    }
    return index;
}

// Files stay in the list once a model has been set up on them; one that was refused (or
// whose reset was cancelled) leaves it again.
void DatasetFields::forgetRefusedFiles(const QString& keep) {
    for (int i = m_dataset->count() - 1; i >= 0; --i) {
        const QString name = m_dataset->itemData(i).toString();
        if (m_dataset->itemData(i, kUserFileRole).toBool() && name != keep && !m_usedFiles.contains(name))
            m_dataset->removeItem(i);
    }
}

void DatasetFields::showInfo(int index) {
    const QString text = m_dataset->itemData(index, Qt::ToolTipRole).toString();
    m_info->setText(breakablePath(text));
    m_info->setToolTip(text);
}

void DatasetFields::setHeaderMode(data::CsvOptions::Header header) {
    m_header->setCurrentIndex(m_header->findData(QString::fromStdString(data::csvHeaderName(header))));
}

void DatasetFields::showCsvColumns(const QString& name, int labelColumn) {
    const bool csv = isCsvFile(name);
    if (m_form) {
        m_form->setRowVisible(m_labelColumn, csv);
        m_form->setRowVisible(m_header, csv);
    }
    m_labelColumn->clear();
    m_labelColumn->addItem(tr("none: every column is a feature"), -1);
    m_labelColumn->setToolTip(labelColumnTip());
    if (!csv) return;
    data::CsvOptions options;
    options.header = data::parseCsvHeader(m_header->currentData().toString().toStdString());
    try {
        const data::CsvFirstRow row = data::readCsvFirstRow(name.toStdString(), options);
        for (size_t i = 0; i < row.cells.size(); ++i) {
            const QString cell = QString::fromStdString(row.cells[i]).simplified().left(40);
            m_labelColumn->addItem(row.isHeader ? tr("%1: %2").arg(i + 1).arg(cell)
                                                : tr("column %1 (first value %2)").arg(i + 1).arg(cell),
                                   int(i));
        }
    } catch (const data::DataError& e) {
        // Loading the file reports it in full; here it only explains the empty list.
        m_labelColumn->setToolTip(labelColumnTip() + "\n\n" + QString::fromStdString(e.what()));
    }
    // A column the configuration names but the file lacks stays, so loading can say so.
    if (labelColumn >= 0 && m_labelColumn->findData(labelColumn) < 0)
        m_labelColumn->addItem(tr("column %1").arg(labelColumn + 1), labelColumn);
    m_labelColumn->setCurrentIndex(std::max(0, m_labelColumn->findData(labelColumn)));
}

void DatasetFields::readInto(app::DatasetSpec& spec) const {
    const QString name = m_dataset->currentData().toString();
    if (!name.isEmpty() && name != kBrowse) spec.name = name;
    if (isCsvFile(spec.name)) {
        spec.csvLabelColumn = m_labelColumn->currentData().toInt();
        spec.csvHeader = data::parseCsvHeader(m_header->currentData().toString().toStdString());
    }
}

} // namespace latentlab::gui
