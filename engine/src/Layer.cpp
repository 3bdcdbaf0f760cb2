#include "latentlab/Layer.h"

#include "latentlab/Conv.h"
#include "latentlab/Dense.h"
#include "latentlab/Pooling.h"
#include "latentlab/Reshape.h"

namespace latentlab {

std::string Layer::describe() const { return kind() + " " + inputShape().text() + " → " + outputShape().text(); }

std::unique_ptr<Layer> makeLayer(const LayerSpec& spec, const Shape& input) {
    const Shape output = spec.outputShape(input); // validates the spec against the input
    if (spec.kind == "dense") return std::make_unique<Dense>(input.size(), spec.units, spec.activation);
    if (spec.kind == "conv") return std::make_unique<Conv2D>(input, spec);
    if (spec.kind == "convt") return std::make_unique<ConvTranspose2D>(input, spec);
    if (spec.kind == "maxpool") return std::make_unique<MaxPool2D>(input, spec.kernel, spec.effectiveStride());
    if (spec.kind == "avgpool") return std::make_unique<AvgPool2D>(input, spec.kernel, spec.effectiveStride());
    if (spec.kind == "upsample") return std::make_unique<Upsample>(input, spec.scale);
    if (spec.kind == "flatten") return std::make_unique<Reshape>(input, output, "flatten");
    if (spec.kind == "reshape") return std::make_unique<Reshape>(input, output, "reshape");
    throw ConfigError("layer '" + spec.text() + "': unknown kind");
}

} // namespace latentlab
