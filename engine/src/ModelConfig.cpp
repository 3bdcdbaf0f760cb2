#include "latentlab/ModelConfig.h"

#include <cmath>

namespace latentlab {

std::vector<int> ModelConfig::resolvedDecoderWidths() const {
    if (!decoderWidths.empty()) return decoderWidths;
    return std::vector<int>(encoderWidths.rbegin(), encoderWidths.rend());
}

Shape ModelConfig::modelInputShape() const {
    if (layered() && inputShape.size() == inputDim && inputShape.size() > 0) return inputShape;
    return Shape::flat(inputDim);
}

namespace {
Index headSize(const ModelConfig& c) { return c.kind == ModelKind::Vae ? 2 * Index(c.latentDim) : c.latentDim; }
} // namespace

std::vector<LayerSpec> ModelConfig::encoderSpecs() const {
    std::vector<LayerSpec> specs;
    const Shape input = modelInputShape();
    if (encoderLayers.empty()) {
        for (int w : encoderWidths) specs.push_back(LayerSpec::dense(w, activation));
    } else {
        // A dense first layer on an image reads it as flat features.
        if (input.kind != Shape::Kind::Flat && encoderLayers.front().kind == "dense")
            specs.push_back(LayerSpec::flatten());
        specs.insert(specs.end(), encoderLayers.begin(), encoderLayers.end());
        if (chainShapes(specs, input).back().kind != Shape::Kind::Flat) specs.push_back(LayerSpec::flatten());
    }
    specs.push_back(LayerSpec::dense(headSize(*this), Activation::Identity));
    return specs;
}

std::vector<LayerSpec> ModelConfig::decoderSpecs() const {
    std::vector<LayerSpec> specs;
    const Shape output = modelInputShape();
    if (decoderLayers.empty()) {
        for (int w : resolvedDecoderWidths()) specs.push_back(LayerSpec::dense(w, activation));
    } else {
        specs = decoderLayers;
    }
    const Shape last = chainShapes(specs, Shape::flat(latentDim)).back();
    if (decoderLayers.empty() || (last.kind == Shape::Kind::Flat && last.size() != output.size()))
        specs.push_back(LayerSpec::dense(output.size(), Activation::Identity));
    if (output.kind != Shape::Kind::Flat && chainShapes(specs, Shape::flat(latentDim)).back() != output)
        specs.push_back(LayerSpec::reshape(output));
    return specs;
}

int64_t ModelConfig::parameterCount() const {
    int64_t n = 0;
    for (const auto& [specs, input] : {std::pair{encoderSpecs(), modelInputShape()},
                                       std::pair{decoderSpecs(), Shape::flat(latentDim)}}) {
        const std::vector<Shape> shapes = chainShapes(specs, input);
        for (size_t i = 0; i < specs.size(); ++i) n += specs[i].parameterCount(shapes[i]);
    }
    return n;
}

int64_t ModelConfig::activationValues() const {
    int64_t n = 0;
    for (const Shape& s : chainShapes(encoderSpecs(), modelInputShape())) n += s.size();
    for (const Shape& s : chainShapes(decoderSpecs(), Shape::flat(latentDim))) n += s.size();
    return n;
}

std::vector<int64_t> ModelConfig::encoderSizes() const {
    std::vector<int64_t> sizes{inputDim};
    sizes.insert(sizes.end(), encoderWidths.begin(), encoderWidths.end());
    sizes.push_back(headSize(*this));
    return sizes;
}

std::vector<int64_t> ModelConfig::decoderSizes() const {
    std::vector<int64_t> sizes{latentDim};
    const std::vector<int> widths = resolvedDecoderWidths();
    sizes.insert(sizes.end(), widths.begin(), widths.end());
    sizes.push_back(inputDim);
    return sizes;
}

std::string ModelConfig::architectureText() const {
    std::string t;
    auto chain = [&](const std::vector<LayerSpec>& specs, const Shape& input) {
        const std::vector<Shape> shapes = chainShapes(specs, input);
        t += shapes.front().text();
        for (size_t i = 0; i < specs.size(); ++i) {
            if (specs[i].kind == "flatten" || specs[i].kind == "reshape") {
                if (shapes[i + 1] != shapes[i]) t += " → " + shapes[i + 1].text();
                continue;
            }
            t += " → " + specs[i].label() + " → " + shapes[i + 1].text();
        }
    };
    chain(encoderSpecs(), modelInputShape());
    t += kind == ModelKind::Vae ? " (mean, log-variance) ⇒ " : " ⇒ ";
    chain(decoderSpecs(), Shape::flat(latentDim));
    return t;
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
    if (!(geometry >= 0.0 && std::isfinite(geometry))) bad("geometry: must be a finite number >= 0");
    if (geometryNeighbours < 1 || geometryNeighbours > 1000)
        bad("geometryNeighbours: must be between 1 and 1000 (got " + std::to_string(geometryNeighbours) + ")");
    if (!layered()) return;
    try {
        chainShapes(encoderSpecs(), modelInputShape());
    } catch (const ConfigError& e) {
        bad(std::string("encoder: ") + e.what());
    }
    try {
        const Shape out = chainShapes(decoderSpecs(), Shape::flat(latentDim)).back();
        if (out != modelInputShape())
            bad("gives " + out.text() + " but the samples are " + modelInputShape().text());
    } catch (const ConfigError& e) {
        bad(std::string("decoder: ") + e.what());
    }
}

std::string modelKindName(ModelKind kind) { return kind == ModelKind::Vae ? "vae" : "ae"; }

ModelKind parseModelKind(const std::string& name) {
    if (name == "ae" || name == "autoencoder") return ModelKind::Autoencoder;
    if (name == "vae") return ModelKind::Vae;
    throw ConfigError("kind: unknown '" + name + "' (choose ae or vae)");
}

} // namespace latentlab
