#include "latentlab/ModelConfig.h"

#include <cmath>

namespace latentlab {

std::vector<int> ModelConfig::resolvedDecoderWidths() const {
    if (!decoderWidths.empty()) return decoderWidths;
    return std::vector<int>(encoderWidths.rbegin(), encoderWidths.rend());
}

std::vector<int64_t> ModelConfig::encoderSizes() const {
    std::vector<int64_t> sizes{inputDim};
    sizes.insert(sizes.end(), encoderWidths.begin(), encoderWidths.end());
    sizes.push_back(kind == ModelKind::Vae ? 2 * int64_t(latentDim) : int64_t(latentDim));
    return sizes;
}

std::vector<int64_t> ModelConfig::decoderSizes() const {
    std::vector<int64_t> sizes{latentDim};
    const std::vector<int> widths = resolvedDecoderWidths();
    sizes.insert(sizes.end(), widths.begin(), widths.end());
    sizes.push_back(inputDim);
    return sizes;
}

void ModelConfig::validate() const {
    auto bad = [](const std::string& what) { throw ConfigError(what); };
    constexpr int kMaxWidth = 1 << 16;
    if (inputDim <= 0) bad("inputDim: must be positive (got " + std::to_string(inputDim) + ")");
    if (latentDim <= 0 || latentDim > 4096)
        bad("latentDim: must be between 1 and 4096 (got " + std::to_string(latentDim) + ")");
    for (int w : encoderWidths)
        if (w <= 0 || w > kMaxWidth)
            bad("encoderWidths: every width must be between 1 and 65536 (got " + std::to_string(w) + ")");
    for (int w : decoderWidths)
        if (w <= 0 || w > kMaxWidth)
            bad("decoderWidths: every width must be between 1 and 65536 (got " + std::to_string(w) + ")");
    if (!(beta >= 0.0 && std::isfinite(beta))) bad("beta: must be a finite number >= 0");
    if (!(sparsity >= 0.0 && std::isfinite(sparsity))) bad("sparsity: must be a finite number >= 0");
}

std::string modelKindName(ModelKind kind) { return kind == ModelKind::Vae ? "vae" : "ae"; }

ModelKind parseModelKind(const std::string& name) {
    if (name == "ae" || name == "autoencoder") return ModelKind::Autoencoder;
    if (name == "vae") return ModelKind::Vae;
    throw ConfigError("kind: unknown '" + name + "' (choose ae or vae)");
}

} // namespace latentlab
