// Shared by the model-file test executables: little-endian field access and resealing of
// the documented byte layout (read independently of Archive.h's table), a small trained
// model with every kind of state, and FileError capture.
#pragma once

#include "latentlab/Archive.h"
#include "latentlab/FileIo.h"
#include "latentlab/ModelFile.h"
#include "latentlab/Trainer.h"
#include "latentlab/Vae.h"

#include <QDir>
#include <QString>
#include <QStringList>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace modelfiletest {

using namespace latentlab;

inline constexpr size_t kHeader = 32;

inline uint64_t readLe(const std::string& b, size_t at, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= uint64_t(uint8_t(b[at + size_t(i)])) << (8 * i);
    return v;
}

inline void writeLe(std::string& b, size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
        b[at + size_t(i)] = char(uint8_t(v >> (8 * i)));
}

// Recomputes both checksums (payload at 24, header at 28) after a deliberate edit, so the
// reader gets past them and must judge the contents themselves.
inline std::string reseal(std::string b) {
    writeLe(b, 24, crc32(b.data() + kHeader, b.size() - kHeader), 4);
    writeLe(b, 28, crc32(b.data(), 28), 4);
    return b;
}

// Offset of the data of record `name` (records: u16 name length, name, u8 type, u64 length).
inline size_t recordData(const std::string& b, const std::string& name, uint64_t* length = nullptr) {
    size_t at = kHeader;
    while (at < b.size()) {
        const size_t nameLen = size_t(readLe(b, at, 2));
        const std::string n = b.substr(at + 2, nameLen);
        const uint64_t len = readLe(b, at + 3 + nameLen, 8);
        const size_t data = at + 11 + nameLen;
        if (n == name) {
            if (length) *length = len;
            return data;
        }
        at = data + size_t(len);
    }
    return std::string::npos;
}

// The FileError message of parsing bytes, or "" if they parsed. Any other exception
// escapes and fails the test.
inline QString loadError(const std::string& bytes, const std::string& source = "damaged.llmodel") {
    try {
        deserializeModel(bytes, source);
    } catch (const FileError& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

// Points on a helix in 4-D, sample-major.
inline std::vector<float> helix(Index rows) {
    std::vector<float> v;
    for (Index i = 0; i < rows; ++i) {
        const double t = 6.0 * double(i) / double(rows);
        v.insert(v.end(), {float(std::cos(t)), float(std::sin(t)), float(0.3 * t),
                           float(0.5 + 0.2 * std::sin(3 * t))});
    }
    return v;
}

struct Fixture {
    std::vector<float> values = helix(60);
    DataView data{values.data(), nullptr, 60, 4};
    std::unique_ptr<Model> model;
    std::unique_ptr<Trainer> trainer;
    TrainConfig train;
    std::map<std::string, std::string> metadata{
        {"dataset", "helix"}, {"epochs", "2"}, {"empty", ""}, {"note", "ünïcødé ✓\nsecond line"}};

    Fixture(ModelKind kind, Normalizer::Kind norm, OptimizerConfig::Kind opt) {
        ModelConfig c;
        c.kind = kind;
        c.inputDim = 4;
        c.encoderWidths = {8, 5};
        c.decoderWidths = {6};
        c.latentDim = 2;
        c.activation = Activation::ELU;
        c.loss = kind == ModelKind::Vae ? ReconstructionLoss::Bce : ReconstructionLoss::Mse;
        c.beta = 0.7;
        c.sparsity = kind == ModelKind::Vae ? 0.0 : 0.05;
        c.geometry = kind == ModelKind::Vae ? 0.3 : 0.0;
        c.geometryNeighbours = 6;
        model = makeModel(c);
        model->normalizer() = Normalizer::fit(norm, data, 50);
        train.epochs = 2;
        train.batchSize = 16;
        train.learningRate = 0.01;
        train.threads = 1;
        train.optimizer.kind = opt;
        train.optimizer.nesterov = true;
        train.optimizer.momentum = 0.8;
        train.optimizer.weightDecay = 0.001;
        train.optimizer.beta2 = 0.99;
        trainer = std::make_unique<Trainer>(*model, data, 50, train);
        trainer->run();
    }
    std::string bytes() {
        return serializeModel(*model, &trainer->optimizer(), train.optimizer, metadata);
    }
};

inline QStringList entries(const QString& dir) {
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden |
                               QDir::System);
}

} // namespace modelfiletest
