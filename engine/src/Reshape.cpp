#include "latentlab/Reshape.h"

namespace latentlab {

Reshape::Reshape(const Shape& input, const Shape& output, const std::string& kind)
    : m_in(input), m_out(output), m_kind(kind) {
    if (input.size() != output.size())
        throw ConfigError(kind + ": " + input.text() + " and " + output.text() + " hold different numbers of values");
}

LayerSpec Reshape::spec() const { return m_kind == "flatten" ? LayerSpec::flatten() : LayerSpec::reshape(m_out); }

const Matrix& Reshape::backwardPass(const Matrix& gradOutput, GradientMode) {
    return m_computesInputGradient ? gradOutput : m_none;
}

} // namespace latentlab
