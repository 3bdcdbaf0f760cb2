#include "HistoryCsv.h"

#include <QList>
#include <QString>
#include <map>

namespace latentlab::app {

std::vector<EpochReport> parseHistoryCsv(const QByteArray& csv, QStringList* problems) {
    auto problem = [problems](const QString& what) {
        if (problems) *problems << what;
    };
    std::vector<EpochReport> out;
    const QList<QByteArray> lines = csv.split('\n');
    // Columns by name, as app::historyCsv() writes them; a file with more terms (columns
    // this build does not know) or fewer (an older file without penalty or beta) loads.
    std::map<QByteArray, int> column;
    const QList<QByteArray> header = lines.value(0).trimmed().split(',');
    for (int c = 0; c < header.size(); ++c) column.emplace(header[c].trimmed(), c);
    for (const char* needed : {"epoch", "train_loss"}) {
        if (!column.count(needed)) {
            problem(QString("line 1: no column '%1' in the header").arg(needed));
            return out;
        }
    }
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty()) continue;
        const QList<QByteArray> cells = line.split(',');
        if (cells.size() != header.size()) {
            problem(QString("line %1: %2 fields, the header has %3").arg(i + 1).arg(cells.size()).arg(header.size()));
            continue;
        }
        bool ok = true;
        // The cell of a column, or null when the file lacks the column or the cell is empty.
        auto cell = [&](const char* name) -> const QByteArray* {
            const auto it = column.find(name);
            return it == column.end() || cells[it->second].isEmpty() ? nullptr : &cells[it->second];
        };
        auto number = [&](const char* name) {
            const QByteArray* c = cell(name);
            if (!c) return 0.0;
            bool good = false;
            const double v = c->toDouble(&good);
            ok = ok && good;
            return v;
        };
        EpochReport r;
        r.epoch = cells[column.at("epoch")].toInt(&ok);
        r.train = {number("train_loss"), number("train_reconstruction"), number("train_kl"), number("train_penalty")};
        r.hasValidation = cell("val_loss") != nullptr;
        if (r.hasValidation)
            r.validation = {number("val_loss"), number("val_reconstruction"), number("val_kl"), number("val_penalty")};
        r.seconds = number("seconds");
        r.samplesPerSecond = number("samples_per_second");
        r.learningRate = number("learning_rate");
        r.beta = number("beta");
        if (!ok || r.epoch <= 0) {
            problem(QString("line %1: not a number where one belongs, or an epoch below 1").arg(i + 1));
            continue;
        }
        out.push_back(r);
    }
    return out;
}

} // namespace latentlab::app
