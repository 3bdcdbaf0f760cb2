#include "RunFiles.h"

#include "latentlab/FileIo.h"
#include "latentlab/Multiply.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QFile>

namespace latentlab::app {

void writeFileAtomic(const QString& path, const QByteArray& bytes) {
    // POSIX rather than QSaveFile: its errors say "Unknown error" where the system says
    // "No space left on device".
    writeFileAtomically(QFile::encodeName(path).toStdString(), bytes.toStdString());
}

namespace {
QByteArray num(double v) { return QByteArray::number(v, 'g', 9); }
} // namespace

QByteArray historyCsv(const std::vector<EpochReport>& history) {
    QByteArray out = "epoch,train_loss,train_reconstruction,train_kl,train_penalty,"
                     "val_loss,val_reconstruction,val_kl,val_penalty,seconds,samples_per_second,"
                     "learning_rate,beta\n";
    for (const EpochReport& r : history) {
        const auto val = [&](double v) { return r.hasValidation ? num(v) : QByteArray(); };
        out += QByteArray::number(r.epoch) + ',' + num(r.train.total) + ',' + num(r.train.reconstruction) +
               ',' + num(r.train.kl) + ',' + num(r.train.penalty) + ',' + val(r.validation.total) + ',' +
               val(r.validation.reconstruction) + ',' + val(r.validation.kl) + ',' +
               val(r.validation.penalty) + ',' + num(r.seconds) + ',' + num(r.samplesPerSecond) + ',' +
               num(r.learningRate) + ',' + num(r.beta) + '\n';
    }
    return out;
}

QByteArray latentCsv(const Matrix& codes, const data::Dataset& dataset, const std::vector<Index>* rows) {
    QByteArray out = "index,label";
    for (Index k = 0; k < codes.rows(); ++k) out += ",z" + QByteArray::number(qlonglong(k));
    out += '\n';
    out.reserve(int(codes.cols() * (16 + 12 * codes.rows())));
    const bool labelled = dataset.labelKind != data::LabelKind::None;
    for (Index i = 0; i < codes.cols(); ++i) {
        const Index row = rows ? (*rows)[size_t(i)] : i;
        out += QByteArray::number(qlonglong(row)) + ',';
        if (labelled) out += num(dataset.labels[size_t(row)]);
        for (Index k = 0; k < codes.rows(); ++k) out += ',' + num(codes(k, i));
        out += '\n';
    }
    return out;
}

QByteArray configJson(const RunConfig& config) {
    QJsonObject json = config.toJson();
    // What computed the run, for the record: configurations that are read ignore it.
    const MultiplyChoice& m = multiplyChoice();
    json["engine"] = QJsonObject{{"multiply", QString::fromStdString(m.name)},
                                 {"multiplyLabel", QString::fromStdString(m.label)},
                                 {"multiplyReason", QString::fromStdString(m.reason)}};
    return QJsonDocument(json).toJson(QJsonDocument::Indented);
}

QString modelPathIn(const QString& dirOrFile) {
    const QFileInfo info(dirOrFile);
    return info.isDir() ? info.filePath() + "/model.llmodel" : dirOrFile;
}

} // namespace latentlab::app
