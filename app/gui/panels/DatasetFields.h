// The panel's fields for the data (SettingsPanel's first rows): the Dataset list (the
// catalogue's sets, files the user opened, "Other file…"), a line saying where the chosen
// set comes from, and for CSV files the label column and the header mode. The panel places
// them in its form and decides when a choice becomes a new model; what the list holds and
// what the fields say lives here.
#pragma once

#include "RunConfig.h"

#include <QObject>
#include <QSet>
#include <QString>

class QComboBox;
class QFormLayout;
class QLabel;

namespace latentlab::gui {

class DatasetFields : public QObject {
    Q_OBJECT

public:
    explicit DatasetFields(QObject* parent = nullptr);

    QComboBox* dataset() const { return m_dataset; }
    QComboBox* labelColumn() const { return m_labelColumn; }
    QComboBox* header() const { return m_header; }

    // Adds the rows (dataset, where from, label column, header) to the panel's form.
    void addRows(QFormLayout* form);

    // Whether a dataset name is a CSV file, as app::loadDataset tells them.
    static bool isCsvFile(const QString& nameOrPath);
    // The entry at `index`: a dataset name or file path, or "Other file…".
    QString nameAt(int index) const;
    bool isBrowse(int index) const;
    // The index of the last entry chosen (the list returns to it after "Other file…").
    int lastIndex() const { return m_lastIndex; }
    void setLastIndex(int index) { m_lastIndex = index; }

    // Selects `name` as a configuration's dataset (a file is added to the list and kept
    // there from now on; files refused before leave it) and says where it comes from.
    void select(const QString& name);
    // The file's entry in the list, added if new.
    int fileEntry(const QString& path);
    // The line under the list: the entry's description and location.
    void showInfo(int index);
    void setHeaderMode(data::CsvOptions::Header header);
    // The label column and header rows show for CSV files only. The columns are listed by
    // the names in the file's first row when the header mode makes it a header, else by
    // number with their first value, so the label column can be picked without opening it.
    void showCsvColumns(const QString& nameOrPath, int labelColumn);
    // The chosen dataset (unless "Other file…") and, for a CSV file, its column settings.
    void readInto(app::DatasetSpec& spec) const;

private:
    void fill();
    void forgetRefusedFiles(const QString& keep);

    QComboBox* m_dataset;
    QLabel* m_info;
    QComboBox* m_labelColumn;
    QComboBox* m_header;
    QFormLayout* m_form = nullptr;
    int m_lastIndex = 0;
    QSet<QString> m_usedFiles; // files a model has been set up on
};

} // namespace latentlab::gui
