#include "latentlab/Autoencoder.h"

#include "latentlab/Geometry.h"

namespace latentlab {

Autoencoder::Autoencoder(const ModelConfig& config) : Model(config) {
    m_encoder = Sequential::build(config.encoderSpecs(), config.modelInputShape());
    m_decoder = Sequential::build(config.decoderSpecs(), Shape::flat(config.latentDim));
    m_encoder.setComputesInputGradient(false);
}

void Autoencoder::initialize(Rng& rng) {
    m_encoder.initialize(rng);
    m_decoder.initialize(rng);
}

namespace {
// L1 penalty lambda (1/B) sum |z|; its subgradient lambda sign(z) / B is added to grad.
double l1Penalty(double lambda, const Matrix& z, Matrix* grad) {
    if (lambda <= 0) return 0.0;
    const double invBatch = 1.0 / double(z.cols());
    if (grad) *grad += Scalar(lambda * invBatch) * z.array().sign().matrix();
    return lambda * invBatch * double(z.array().abs().sum());
}
} // namespace

LossTerms Autoencoder::trainStep(const Matrix& input, const Matrix& target, Rng& rng, const Matrix* codeDistances) {
    const Pass pass{true, &rng};
    const Matrix& z = m_encoder.forward(input, pass);
    const Matrix& out = m_decoder.forward(z, pass);
    LossTerms t;
    t.reconstruction = reconstructionLoss(m_config.loss, out, target, &m_gradOutput);
    m_gradCode = m_decoder.backward(m_gradOutput);
    t.penalty = l1Penalty(m_config.sparsity, z, &m_gradCode);
    if (codeDistances) t.penalty += geometryPenalty(m_config.geometry, z, *codeDistances, &m_gradCode);
    m_encoder.backward(m_gradCode);
    t.total = t.reconstruction + t.penalty;
    return t;
}

LossTerms Autoencoder::evaluate(const Matrix& input, const Matrix& target, Rng&) const {
    Matrix z, out;
    encode(input, z);
    decodeRaw(z, out);
    LossTerms t;
    t.reconstruction = reconstructionLoss(m_config.loss, out, target, nullptr);
    t.penalty = l1Penalty(m_config.sparsity, z, nullptr);
    t.total = t.reconstruction + t.penalty;
    return t;
}

void Autoencoder::encode(const Matrix& x, Matrix& z) const { m_encoder.predict(x, z); }

void Autoencoder::decodeRaw(const Matrix& z, Matrix& out) const { m_decoder.predict(z, out); }

std::vector<Parameter> Autoencoder::parameters() {
    auto p = m_encoder.parameters("encoder");
    auto d = m_decoder.parameters("decoder");
    p.insert(p.end(), d.begin(), d.end());
    return p;
}

} // namespace latentlab
