#include "HistoryCsv.h"

#include <QList>

namespace latentlab::app {

std::vector<EpochReport> parseHistoryCsv(const QByteArray& csv) {
    // epoch, train (loss, reconstruction, kl, penalty), validation (the same four),
    // seconds, samples_per_second, learning_rate, beta: see app::historyCsv().
    constexpr int kColumns = 13;
    std::vector<EpochReport> out;
    const QList<QByteArray> lines = csv.split('\n');
    for (int i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cells = lines[i].trimmed().split(',');
        if (cells.size() != kColumns) continue;
        bool ok = true;
        auto number = [&](int c) {
            bool good = false;
            const double v = cells[c].toDouble(&good);
            ok = ok && good;
            return v;
        };
        EpochReport r;
        r.epoch = cells[0].toInt(&ok);
        r.train = {number(1), number(2), number(3), number(4)};
        r.hasValidation = !cells[5].isEmpty();
        if (r.hasValidation) r.validation = {number(5), number(6), number(7), number(8)};
        r.seconds = number(9);
        r.samplesPerSecond = number(10);
        r.learningRate = number(11);
        r.beta = number(12);
        if (ok && r.epoch > 0) out.push_back(r);
    }
    return out;
}

} // namespace latentlab::app
