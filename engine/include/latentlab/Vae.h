// Variational autoencoder (Kingma & Welling) with a beta weight on the KL term.
//
// The encoder's last dense layer has 2K outputs: rows [0, K) are the posterior mean mu,
// rows [K, 2K) its log-variance lv. Reparameterisation: z = mu + e^(lv/2) * eps,
// eps ~ N(0, I), so gradients flow to mu and lv through z.
// Loss per sample: reconstruction(x^, x) + beta * KL(N(mu, e^lv) || N(0, I)).
#pragma once

#include "latentlab/Model.h"
#include "latentlab/Sequential.h"

namespace latentlab {

class Vae final : public Model {
public:
    explicit Vae(const ModelConfig& config);

    void initialize(Rng& rng) override;
    LossTerms trainStep(const Matrix& input, const Matrix& target, Rng& rng,
                        const Matrix* codeDistances = nullptr) override;
    bool gradientsFinite() override {
        return m_encoder.gradientsFinite() && m_decoder.gradientsFinite();
    }
    LossTerms evaluate(const Matrix& input, const Matrix& target, Rng& rng) const override;
    void encode(const Matrix& x, Matrix& z) const override; // posterior mean
    void encodeDistribution(const Matrix& x, Matrix& mu, Matrix& logVar) const;
    void decodeRaw(const Matrix& z, Matrix& out) const override;
    // count decoded samples of the prior N(0, I), as data; their codes go to z if given.
    void sample(Index count, Rng& rng, Matrix& xhat, Matrix* z = nullptr) const;
    std::vector<Parameter> parameters() override;
    std::unique_ptr<Model> clone() const override { return std::make_unique<Vae>(*this); }
    const Sequential& encoderNetwork() const override { return m_encoder; }
    const Sequential& decoderNetwork() const override { return m_decoder; }

private:
    // eps (K x B) of standard normals, drawn column by column from rng.
    static Matrix drawNoise(Index k, Index b, Rng& rng);

    Sequential m_encoder, m_decoder;
    Matrix m_eps, m_std, m_z, m_gradOutput, m_gradMu, m_gradLogVar, m_gradHead, m_gradMuPenalty;
};

} // namespace latentlab
