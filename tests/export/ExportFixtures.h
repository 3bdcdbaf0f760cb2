// What the export tests share: models with every parameter at random, raw samples, and a
// runner for the scripts that evaluate an exported model in another runtime (ONNX Runtime
// under node, the PyTorch package under python3), all exchanging float32 files.
#pragma once

#include "latentlab/Model.h"
#include "latentlab/ModelConfig.h"
#include "latentlab/Random.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtGlobal>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

namespace exporttest {

using namespace latentlab;

constexpr int kSamples = 100;

// A model of `config` whose every parameter is drawn at random, biases too (they start at
// zero, where a dropped bias would go unseen), with a normaliser that moves every feature
// and brings data of magnitude `range` to about 1, as a fitted one does.
inline std::unique_ptr<Model> randomModel(ModelConfig config, Normalizer::Kind norm, double range,
                                          uint64_t seed) {
    config.validate();
    std::unique_ptr<Model> model = makeModel(config);
    Rng rng(seed);
    model->initialize(rng);
    for (Parameter& p : model->parameters())
        for (Index i = 0; i < p.size; ++i)
            p.value[i] += Scalar(0.1 * rng.normal());
    const Index f = config.inputDim;
    Vector shift(f), scale(f);
    for (Index i = 0; i < f; ++i) {
        shift[i] = Scalar(0.1 * range * rng.normal());
        scale[i] = Scalar((0.5 + rng.uniform()) / range);
    }
    model->normalizer().set(norm, shift, scale);
    return model;
}

// kSamples raw samples as columns: pixels 0..255 for images, else standard normals.
inline Matrix rawSamples(Index features, bool pixels, uint64_t seed) {
    Rng rng(seed);
    Matrix x(features, kSamples);
    for (Index i = 0; i < x.size(); ++i)
        x.data()[i] = Scalar(pixels ? std::floor(256 * rng.uniform()) : rng.normal());
    return x;
}

inline ModelConfig layered(ModelKind kind, const Shape& input, const std::string& encoder,
                           const std::string& decoder, int latent) {
    ModelConfig c;
    c.kind = kind;
    c.inputShape = input;
    c.inputDim = int(input.size());
    c.latentDim = latent;
    c.encoderLayers = parseSpecs(encoder);
    c.decoderLayers = parseSpecs(decoder);
    return c;
}

// Runs `program args... INPUT.f32 ROWS COLUMNS OUT_PREFIX` on the columns of `input` (a
// column-major matrix's columns are the rows the script reads, already in order). The
// script prints a JSON object with its outputs' shapes, either {"name": [rows, columns]}
// or {"outputs": {...}}; returns them by name as features x samples, empty on failure
// (after a warning with the script's output).
inline QMap<QString, Matrix> runScript(const QString& program, const QStringList& args,
                                       const QProcessEnvironment& env, const Matrix& input,
                                       const QString& work) {
    const QString in = work + "/input.f32";
    QFile f(in);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(in));
    f.write(reinterpret_cast<const char*>(input.data()), qint64(input.size() * sizeof(float)));
    f.close();
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args + QStringList{in, QString::number(input.cols()),
                                        QString::number(input.rows()), work + "/out-"});
    if (!p.waitForFinished(300000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("%s %s: %s %s", qPrintable(program), qPrintable(args.join(' ')),
                 p.readAllStandardOutput().constData(), p.readAllStandardError().constData());
        return {};
    }
    QJsonObject dims = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    if (dims.contains("outputs")) dims = dims["outputs"].toObject();
    QMap<QString, Matrix> outputs;
    for (auto it = dims.begin(); it != dims.end(); ++it) {
        const QJsonArray d = it.value().toArray();
        if (d.size() != 2 || d[0].toInt() != input.cols()) return {};
        QFile o(work + "/out-" + it.key() + ".f32");
        if (!o.open(QIODevice::ReadOnly)) return {};
        const QByteArray bytes = o.readAll();
        Matrix m(d[1].toInt(), d[0].toInt());
        if (bytes.size() != qsizetype(m.size() * sizeof(float))) return {};
        std::memcpy(m.data(), bytes.constData(), size_t(bytes.size()));
        outputs[it.key()] = m;
    }
    return outputs;
}

// The largest |theirs - ours| / max(1, |ours|); infinity when the shapes differ.
inline double worstDifference(const Matrix& theirs, const Matrix& ours) {
    if (theirs.rows() != ours.rows() || theirs.cols() != ours.cols()) return INFINITY;
    double worst = 0;
    for (Index i = 0; i < ours.size(); ++i) {
        const double a = theirs.data()[i], b = ours.data()[i];
        worst = std::max(worst, std::abs(a - b) / std::max(1.0, std::abs(b)));
    }
    return std::isfinite(worst) ? worst : INFINITY;
}

// The architectures both exports are checked on: dense and convolutional, AE and VAE, every
// layer kind, activation and normaliser. Adds the data rows of a data-driven test.
inline void architectureRows() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("encoder");
    QTest::addColumn<QString>("decoder");
    QTest::addColumn<int>("channels"); // 0: flat features
    QTest::addColumn<int>("side");
    QTest::addColumn<int>("loss");
    QTest::addColumn<int>("normalizer");
    QTest::addColumn<int>("activation"); // of a widths model
    const int ae = int(ModelKind::Autoencoder), vae = int(ModelKind::Vae);
    const int mse = int(ReconstructionLoss::Mse), bce = int(ReconstructionLoss::Bce);
    const int stdz = int(Normalizer::Kind::Standardize), gmm = int(Normalizer::Kind::GlobalMinMax);
    const int mm = int(Normalizer::Kind::MinMax), none = int(Normalizer::Kind::None);
    QTest::newRow("widths ae tanh") << ae << ""
                                    << "" << 0 << 5 << mse << stdz << int(Activation::Tanh);
    QTest::newRow("widths vae elu") << vae << ""
                                    << "" << 0 << 7 << mse << mm << int(Activation::ELU);
    QTest::newRow("conv ae, pools")
        << ae << "conv 4 k3 s2 p1 relu; maxpool 2; conv 6 k2 leaky_relu; avgpool 2 s1"
        << "dense 24 elu; reshape 6x2x2; upsample 3; convt 3 k3 s2 p1 op1 tanh; convt 1 k1 sigmoid"
        << 1 << 12 << mse << gmm << 0;
    QTest::newRow("conv vae, bce")
        << vae << "conv 3 k3 p1 elu; avgpool 2; flatten; dense 16 sigmoid"
        << "dense 27 relu; reshape 3x3x3; convt 2 k3 s2 op1 leaky_relu; upsample 2" << 2 << 16
        << bce << gmm << 0;
    QTest::newRow("dense on images, no normaliser")
        << ae << "dense 20 relu; dense 10 tanh"
        << "dense 30 sigmoid" << 1 << 6 << mse << none << 0;
}

// The row's model, every parameter random (randomModel); `pixels`: its data are images.
struct Architecture {
    ModelConfig config;
    std::unique_ptr<Model> model;
    bool pixels = false;
};
inline Architecture fetchArchitecture() {
    QFETCH(int, kind);
    QFETCH(QString, encoder);
    QFETCH(QString, decoder);
    QFETCH(int, channels);
    QFETCH(int, side);
    QFETCH(int, loss);
    QFETCH(int, normalizer);
    QFETCH(int, activation);
    ModelConfig c;
    if (encoder.isEmpty()) {
        c.kind = ModelKind(kind);
        c.inputDim = side;
        c.inputShape = Shape::flat(side);
        c.encoderWidths = {16, 8};
        c.latentDim = 3;
        c.activation = Activation(activation);
    } else {
        c = layered(ModelKind(kind), Shape::image(channels, side, side), encoder.toStdString(),
                    decoder.toStdString(), 2);
    }
    c.loss = ReconstructionLoss(loss);
    Architecture a;
    a.pixels = channels > 0;
    a.model = randomModel(c, Normalizer::Kind(normalizer), a.pixels ? 255 : 1, 7);
    a.config = c;
    return a;
}

} // namespace exporttest
