#include "latentlab/Model.h"

#include "latentlab/Autoencoder.h"
#include "latentlab/Batch.h"
#include "latentlab/Vae.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace latentlab {

bool LossTerms::finite() const {
    return std::isfinite(total) && std::isfinite(reconstruction) && std::isfinite(kl) &&
           std::isfinite(penalty);
}

LossTerms& LossTerms::addWeighted(const LossTerms& o, double w) {
    total += w * o.total;
    reconstruction += w * o.reconstruction;
    kl += w * o.kl;
    penalty += w * o.penalty;
    return *this;
}

Model::Model(const ModelConfig& config) : m_config(config) {
    m_config.validate();
    m_normalizer = Normalizer::identity(config.inputDim);
}

void Model::decode(const Matrix& z, Matrix& xhat) const {
    decodeRaw(z, xhat);
    if (m_config.loss == ReconstructionLoss::Bce)
        xhat = xhat.unaryExpr([](Scalar v) { return sigmoid(v); });
}

void Model::reconstruct(const Matrix& x, Matrix& xhat) const {
    Matrix z;
    encode(x, z);
    decode(z, xhat);
}

RowVector Model::reconstructionError(const Matrix& x) const {
    Matrix z, out;
    encode(x, z);
    decodeRaw(z, out);
    return reconstructionLossPerSample(m_config.loss, out, x);
}

Matrix encodeData(const Model& model, const DataView& data, Index begin, Index end) {
    constexpr Index kChunk = 4096;
    Matrix codes(model.latentDim(), end - begin), x, z;
    for (Index s = begin; s < end; s += kChunk) {
        const Index e = std::min(end, s + kChunk);
        gatherRange(data, model.normalizer(), s, e, x);
        model.encode(x, z);
        codes.middleCols(s - begin, e - s) = z;
    }
    return codes;
}

std::unique_ptr<Model> makeModel(const ModelConfig& config) {
    config.validate();
    if (config.kind == ModelKind::Vae) return std::make_unique<Vae>(config);
    return std::make_unique<Autoencoder>(config);
}

RowVector reconstructionErrors(const Model& model, const DataView& data, Index begin, Index end) {
    constexpr Index kChunk = 4096;
    RowVector errors(end - begin);
    Matrix x;
    for (Index s = begin; s < end; s += kChunk) {
        const Index e = std::min(end, s + kChunk);
        gatherRange(data, model.normalizer(), s, e, x);
        errors.segment(s - begin, e - s) = model.reconstructionError(x);
    }
    return errors;
}

} // namespace latentlab
