// Deterministic autoencoder: z = E(x), x^ = D(z). With sparsity > 0 the loss adds
// lambda * (1/B) sum |z| (an L1 "activity" penalty that makes codes sparse).
#pragma once

#include "latentlab/Model.h"
#include "latentlab/Sequential.h"

namespace latentlab {

class Autoencoder final : public Model {
public:
    explicit Autoencoder(const ModelConfig& config);

    void initialize(Rng& rng) override;
    LossTerms trainStep(const Matrix& input, const Matrix& target, Rng& rng,
                        const Matrix* codeDistances = nullptr) override;
    bool gradientsFinite() override {
        return m_encoder.gradientsFinite() && m_decoder.gradientsFinite();
    }
    LossTerms evaluate(const Matrix& input, const Matrix& target, Rng& rng) const override;
    void encode(const Matrix& x, Matrix& z) const override;
    void decodeRaw(const Matrix& z, Matrix& out) const override;
    std::vector<Parameter> parameters() override;
    std::unique_ptr<Model> clone() const override { return std::make_unique<Autoencoder>(*this); }
    const Sequential& encoderNetwork() const override { return m_encoder; }
    const Sequential& decoderNetwork() const override { return m_decoder; }

    Sequential& encoder() { return m_encoder; }
    Sequential& decoder() { return m_decoder; }
    const Sequential& encoder() const { return m_encoder; }
    const Sequential& decoder() const { return m_decoder; }

private:
    Sequential m_encoder, m_decoder;
    Matrix m_gradOutput, m_gradCode;
};

} // namespace latentlab
