#include "latentlab/ModelFile.h"

#include "latentlab/Archive.h"
#include "latentlab/FileIo.h"

#include <climits>
#include <cmath>
#include <sstream>

namespace latentlab {

namespace {
std::string joinInts(const std::vector<int>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
}

std::vector<int> splitInts(const std::string& s, const std::string& field, const std::string& source) {
    std::vector<int> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            size_t used = 0;
            out.push_back(std::stoi(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw FileError(source + ": field '" + field + "' is not a list of integers");
        }
    }
    return out;
}

std::vector<float> toFloats(const Scalar* p, Index n) { return std::vector<float>(p, p + n); }

int intField(const ArchiveReader& r, const std::string& field, const std::string& source) {
    const int64_t v = r.getInt(field);
    if (v < INT_MIN || v > INT_MAX) throw FileError(source + ": field '" + field + "' is out of range");
    return int(v);
}

// The weights the architecture needs, counted before it is built, against those the file
// holds: a corrupted (yet checksummed) dimension must give an error, not a request for
// gigabytes. A dense layer in -> out has (in + 1) * out parameters.
void checkParameterCount(const ArchiveReader& r, const ModelConfig& c, const std::string& source) {
    auto stack = [](const std::vector<int64_t>& sizes) {
        int64_t n = 0;
        for (size_t i = 0; i + 1 < sizes.size(); ++i) n += (sizes[i] + 1) * sizes[i + 1];
        return n;
    };
    const int64_t needed = stack(c.encoderSizes()) + stack(c.decoderSizes());
    int64_t stored = 0;
    for (const auto& name : r.names("param.")) stored += int64_t(r.getFloats(name).size());
    if (stored != needed)
        throw FileError(source + ": the file holds " + std::to_string(stored) +
                        " parameters, its architecture needs " + std::to_string(needed));
}

Vector toVector(const std::vector<float>& v) {
    Vector out(Index(v.size()));
    for (size_t i = 0; i < v.size(); ++i) out[Index(i)] = Scalar(v[i]);
    return out;
}
} // namespace

std::string serializeModel(Model& model, const Optimizer* optimizer,
                           const OptimizerConfig& oc,
                           const std::map<std::string, std::string>& metadata) {
    const ModelConfig& c = model.config();
    ArchiveWriter w;
    w.putString("writer", "Latent Lab");
    w.putString("model.kind", modelKindName(c.kind));
    w.putInt("model.inputDim", c.inputDim);
    w.putString("model.encoderWidths", joinInts(c.encoderWidths));
    w.putInt("model.latentDim", c.latentDim);
    w.putString("model.decoderWidths", joinInts(c.decoderWidths));
    w.putString("model.activation", activationName(c.activation));
    w.putString("model.loss", lossName(c.loss));
    w.putDouble("model.beta", c.beta);
    w.putDouble("model.sparsity", c.sparsity);

    const Normalizer& n = model.normalizer();
    w.putString("normalizer.kind", normalizerName(n.kind()));
    w.putFloats("normalizer.shift", toFloats(n.shift().data(), n.shift().size()));
    w.putFloats("normalizer.scale", toFloats(n.scale().data(), n.scale().size()));

    for (const auto& p : model.parameters()) w.putFloats("param." + p.name, toFloats(p.value, p.size));

    w.putString("optimizer.kind", optimizerName(oc.kind));
    w.putDouble("optimizer.momentum", oc.momentum);
    w.putInt("optimizer.nesterov", oc.nesterov ? 1 : 0);
    w.putDouble("optimizer.beta1", oc.beta1);
    w.putDouble("optimizer.beta2", oc.beta2);
    w.putDouble("optimizer.epsilon", oc.epsilon);
    w.putDouble("optimizer.weightDecay", oc.weightDecay);
    if (optimizer) {
        const auto state = optimizer->state();
        w.putInt("optimizer.steps", optimizer->steps());
        w.putInt("optimizer.slots", int64_t(state.size()));
        for (size_t i = 0; i < state.size(); ++i) w.putFloats("optimizer.slot." + std::to_string(i), state[i]);
    }
    for (const auto& [key, value] : metadata) w.putString("meta." + key, value);
    return w.bytes(kModelFormatVersion);
}

namespace {
// Infinite or NaN weights or normaliser values would decode every point to inf or NaN.
void requireFiniteValues(const std::vector<float>& values, const std::string& record, const std::string& source) {
    for (size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            throw FileError(source + ": " + record + " value " + std::to_string(i) + " is not a finite number (" +
                            std::to_string(values[i]) + ")");
}
} // namespace

SavedModel deserializeModel(const std::string& bytes, const std::string& source) {
    ArchiveReader r(bytes, source, kModelFormatVersion);
    SavedModel saved;
    ModelConfig c;
    try {
        c.kind = parseModelKind(r.getString("model.kind"));
        c.inputDim = intField(r, "model.inputDim", source);
        c.encoderWidths = splitInts(r.getString("model.encoderWidths"), "model.encoderWidths", source);
        c.latentDim = intField(r, "model.latentDim", source);
        c.decoderWidths = splitInts(r.getString("model.decoderWidths"), "model.decoderWidths", source);
        c.activation = parseActivation(r.getString("model.activation"));
        c.loss = parseLoss(r.getString("model.loss"));
        c.beta = r.getDouble("model.beta");
        c.sparsity = r.getDouble("model.sparsity");
        c.validate();
        checkParameterCount(r, c, source);
        saved.model = makeModel(c);
    } catch (const ConfigError& e) {
        throw FileError(source + ": invalid architecture (" + e.what() + ")");
    }

    const auto shift = r.getFloats("normalizer.shift");
    const auto scale = r.getFloats("normalizer.scale");
    if (shift.size() != size_t(c.inputDim) || scale.size() != size_t(c.inputDim))
        throw FileError(source + ": normalizer has the wrong number of features");
    requireFiniteValues(shift, "normalizer.shift", source);
    requireFiniteValues(scale, "normalizer.scale", source);
    try {
        saved.model->normalizer().set(parseNormalizer(r.getString("normalizer.kind")),
                                      toVector(shift), toVector(scale));
    } catch (const ConfigError& e) {
        throw FileError(source + ": " + e.what());
    }

    for (const auto& p : saved.model->parameters()) {
        const auto values = r.getFloats("param." + p.name);
        if (values.size() != size_t(p.size))
            throw FileError(source + ": parameter '" + p.name + "' has " + std::to_string(values.size()) +
                            " values, the architecture needs " + std::to_string(p.size));
        requireFiniteValues(values, "param." + p.name, source);
        for (Index i = 0; i < p.size; ++i) p.value[i] = Scalar(values[size_t(i)]);
    }

    OptimizerConfig& oc = saved.optimizerConfig;
    try {
        oc.kind = parseOptimizer(r.getString("optimizer.kind"));
    } catch (const ConfigError& e) {
        throw FileError(source + ": " + e.what());
    }
    oc.momentum = r.getDouble("optimizer.momentum");
    oc.nesterov = r.getInt("optimizer.nesterov") != 0;
    oc.beta1 = r.getDouble("optimizer.beta1");
    oc.beta2 = r.getDouble("optimizer.beta2");
    oc.epsilon = r.getDouble("optimizer.epsilon");
    oc.weightDecay = r.getDouble("optimizer.weightDecay");
    try {
        oc.validate();
    } catch (const ConfigError& e) {
        throw FileError(source + ": " + e.what());
    }
    if (r.has("optimizer.slots")) {
        const int64_t slots = r.getInt("optimizer.slots");
        if (slots < 0 || slots > 100000) throw FileError(source + ": bad optimizer slot count");
        saved.optimizerSteps = r.getInt("optimizer.steps");
        // One vector per slot kind and parameter, in parameters() order (Optimizer.h); a
        // wrong length would make the optimiser step past the end of its state.
        const auto params = saved.model->parameters();
        for (int64_t i = 0; i < slots; ++i) {
            saved.optimizerState.push_back(r.getFloats("optimizer.slot." + std::to_string(i)));
            const Parameter& p = params[size_t(i) % params.size()];
            if (saved.optimizerState.back().size() != size_t(p.size))
                throw FileError(source + ": optimizer slot " + std::to_string(i) +
                                " does not match parameter '" + p.name + "'");
        }
    }
    for (const auto& key : r.names("meta.")) saved.metadata[key.substr(5)] = r.getString(key);
    return saved;
}

void saveModel(const std::string& path, Model& model, const Optimizer* optimizer,
               const OptimizerConfig& optimizerConfig,
               const std::map<std::string, std::string>& metadata) {
    writeFileAtomically(path, serializeModel(model, optimizer, optimizerConfig, metadata));
}

SavedModel loadModel(const std::string& path) { return deserializeModel(readWholeFile(path), path); }

} // namespace latentlab
