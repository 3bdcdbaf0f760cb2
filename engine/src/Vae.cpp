#include "latentlab/Vae.h"

#include "latentlab/Geometry.h"

namespace latentlab {

Vae::Vae(const ModelConfig& config) : Model(config) {
    m_encoder = Sequential::build(config.encoderSpecs(), config.modelInputShape());
    m_decoder = Sequential::build(config.decoderSpecs(), Shape::flat(config.latentDim));
    m_encoder.setComputesInputGradient(false);
}

void Vae::initialize(Rng& rng) {
    m_encoder.initialize(rng);
    m_decoder.initialize(rng);
}

Matrix Vae::drawNoise(Index k, Index b, Rng& rng) {
    Matrix eps(k, b);
    for (Index i = 0; i < eps.size(); ++i) eps.data()[i] = Scalar(rng.normal());
    return eps;
}

LossTerms Vae::trainStep(const Matrix& input, const Matrix& target, Rng& rng, const Matrix* codeDistances) {
    const Index k = m_config.latentDim;
    const Pass pass{true, &rng};
    const Matrix& head = m_encoder.forward(input, pass);
    const auto mu = head.topRows(k);
    const auto logVar = head.bottomRows(k);
    m_eps = drawNoise(k, input.cols(), rng);
    m_std = (Scalar(0.5) * logVar.array()).exp().matrix();
    m_z = mu + m_std.cwiseProduct(m_eps);
    const Matrix& out = m_decoder.forward(m_z, pass);

    LossTerms t;
    const Scalar beta = Scalar(m_config.beta);
    t.reconstruction = reconstructionLoss(m_config.loss, out, target, &m_gradOutput);
    t.kl = gaussianKl(mu, logVar, &m_gradMu, &m_gradLogVar);
    // The geometry penalty on the posterior means, the codes the plane shows.
    m_gradMuPenalty.setZero(k, input.cols());
    if (codeDistances) t.penalty = geometryPenalty(m_config.geometry, mu, *codeDistances, &m_gradMuPenalty);
    t.total = t.reconstruction + m_config.beta * t.kl + t.penalty;

    const Matrix& gz = m_decoder.backward(m_gradOutput);
    // dz/dmu = 1, dz/dlv = eps * e^(lv/2) / 2
    m_gradHead.resize(2 * k, input.cols());
    m_gradHead.topRows(k) = gz + beta * m_gradMu + m_gradMuPenalty;
    m_gradHead.bottomRows(k) =
        (Scalar(0.5) * gz.array() * m_eps.array() * m_std.array()).matrix() + beta * m_gradLogVar;
    m_encoder.backward(m_gradHead);
    return t;
}

LossTerms Vae::evaluate(const Matrix& input, const Matrix& target, Rng& rng) const {
    const Index k = m_config.latentDim;
    Matrix head, out;
    m_encoder.predict(input, head);
    const Matrix eps = drawNoise(k, input.cols(), rng);
    const Matrix z =
        head.topRows(k) + (Scalar(0.5) * head.bottomRows(k).array()).exp().matrix().cwiseProduct(eps);
    m_decoder.predict(z, out);
    LossTerms t;
    t.reconstruction = reconstructionLoss(m_config.loss, out, target, nullptr);
    t.kl = gaussianKl(head.topRows(k), head.bottomRows(k), nullptr, nullptr);
    t.total = t.reconstruction + m_config.beta * t.kl;
    return t;
}

void Vae::encodeDistribution(const Matrix& x, Matrix& mu, Matrix& logVar) const {
    Matrix head;
    m_encoder.predict(x, head);
    mu = head.topRows(m_config.latentDim);
    logVar = head.bottomRows(m_config.latentDim);
}

void Vae::encode(const Matrix& x, Matrix& z) const {
    Matrix head;
    m_encoder.predict(x, head);
    z = head.topRows(m_config.latentDim);
}

void Vae::decodeRaw(const Matrix& z, Matrix& out) const { m_decoder.predict(z, out); }

void Vae::sample(Index count, Rng& rng, Matrix& xhat, Matrix* z) const {
    const Matrix codes = drawNoise(m_config.latentDim, count, rng);
    decode(codes, xhat);
    if (z) *z = codes;
}

std::vector<Parameter> Vae::parameters() {
    auto p = m_encoder.parameters("encoder");
    auto d = m_decoder.parameters("decoder");
    p.insert(p.end(), d.begin(), d.end());
    return p;
}

} // namespace latentlab
