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

// The weights the architecture needs, counted from its specs before it is built, against
// those the file holds: a corrupted (yet checksummed) dimension must give an error, not a
// request for gigabytes.
void checkParameterCount(const ArchiveReader& r, const ModelConfig& c, const std::string& source) {
    const int64_t needed = c.parameterCount();
    int64_t stored = 0;
    for (const auto& name : r.names("param.")) stored += int64_t(r.getFloats(name).size());
    if (stored != needed)
        throw FileError(source + ": the file holds " + std::to_string(stored) +
                        " parameters, its architecture needs " + std::to_string(needed));
}

// "image 1 28 28", "flat 784", "sequence 20 3"
std::string shapeRecord(const Shape& s) {
    switch (s.kind) {
    case Shape::Kind::Image:
        return "image " + std::to_string(s.channels) + " " + std::to_string(s.height) + " " + std::to_string(s.width);
    case Shape::Kind::Sequence: return "sequence " + std::to_string(s.steps) + " " + std::to_string(s.features);
    case Shape::Kind::Flat: break;
    }
    return "flat " + std::to_string(s.features);
}

Shape parseShapeRecord(const std::string& text, const std::string& field, const std::string& source) {
    std::istringstream in(text);
    std::string kind;
    int64_t a = 0, b = 0, c = 0;
    in >> kind;
    const auto fail = [&]() -> Shape { throw FileError(source + ": field '" + field + "' is not a shape ('" + text + "')"); };
    const auto dim = [&](int64_t v) {
        if (v < 1 || v > (1 << 24)) fail();
        return Index(v);
    };
    Shape s;
    if (kind == "image" && (in >> a >> b >> c)) s = Shape::image(dim(a), dim(b), dim(c));
    else if (kind == "sequence" && (in >> a >> b)) s = Shape::sequence(dim(a), dim(b));
    else if (kind == "flat" && (in >> a)) s = Shape::flat(dim(a));
    else return fail();
    std::string rest;
    if (in >> rest) return fail();
    // Each dimension is at most 2^24, their product need not be: it must fit too.
    if (double(a) * double(std::max<int64_t>(b, 1)) * double(std::max<int64_t>(c, 1)) > double(1 << 24)) return fail();
    return s;
}

std::string joinIndices(const std::vector<Index>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
}

std::vector<Index> shapeOf(const Parameter& p) { return p.shape.empty() ? std::vector<Index>{p.size} : p.shape; }

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
    w.putString("model.inputShape", shapeRecord(c.modelInputShape()));
    w.putString("model.encoderWidths", joinInts(c.encoderWidths));
    w.putString("model.encoderLayers", specsText(c.encoderLayers));
    w.putString("model.decoderLayers", specsText(c.decoderLayers));
    w.putInt("model.latentDim", c.latentDim);
    w.putString("model.decoderWidths", joinInts(c.decoderWidths));
    w.putString("model.activation", activationName(c.activation));
    w.putString("model.loss", lossName(c.loss));
    w.putDouble("model.beta", c.beta);
    w.putDouble("model.sparsity", c.sparsity);
    w.putDouble("model.geometry", c.geometry);
    w.putInt("model.geometryNeighbours", c.geometryNeighbours);

    const Normalizer& n = model.normalizer();
    w.putString("normalizer.kind", normalizerName(n.kind()));
    w.putFloats("normalizer.shift", toFloats(n.shift().data(), n.shift().size()));
    w.putFloats("normalizer.scale", toFloats(n.scale().data(), n.scale().size()));

    // Each parameter by name, with its shape (row-major, Types.h).
    const std::vector<Parameter> params = model.parameters();
    for (const auto& p : params) {
        w.putFloats("param." + p.name, toFloats(p.value, p.size));
        w.putString("shape." + p.name, joinIndices(shapeOf(p)));
    }

    w.putString("optimizer.kind", optimizerName(oc.kind));
    w.putDouble("optimizer.momentum", oc.momentum);
    w.putInt("optimizer.nesterov", oc.nesterov ? 1 : 0);
    w.putDouble("optimizer.beta1", oc.beta1);
    w.putDouble("optimizer.beta2", oc.beta2);
    w.putDouble("optimizer.epsilon", oc.epsilon);
    w.putDouble("optimizer.weightDecay", oc.weightDecay);
    if (optimizer) {
        // "slot.m.encoder.0.weight": each slot by its name and its parameter's, whose
        // shape it has; matched by name when read (Optimizer::setState).
        w.putInt("optimizer.steps", optimizer->steps());
        for (const SlotState& st : optimizer->state(params)) {
            w.putFloats("slot." + st.slot + "." + st.parameter, st.values);
            w.putString("slot-shape." + st.slot + "." + st.parameter, joinIndices(st.shape));
        }
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

namespace {
// The optimiser's slots: by name in version 2; by position in version 1 (one vector per
// slot kind and parameter, in parameters() order), given their names here.
OptimizerState readOptimizerState(const ArchiveReader& r, const std::vector<Parameter>& params,
                                  const OptimizerConfig& oc, const std::string& source) {
    OptimizerState state;
    if (r.version() >= 2) {
        const std::string prefix = "slot.";
        for (const std::string& key : r.names(prefix)) {
            const std::string rest = key.substr(prefix.size());
            const size_t dot = rest.find('.');
            if (dot == std::string::npos) throw FileError(source + ": record '" + key + "' names no parameter");
            SlotState st;
            st.slot = rest.substr(0, dot);
            st.parameter = rest.substr(dot + 1);
            st.values = r.getFloats(key);
            for (int v : splitInts(r.getString("slot-shape." + rest), "slot-shape." + rest, source)) st.shape.push_back(v);
            state.push_back(std::move(st));
        }
        return state;
    }
    if (!r.has("optimizer.slots")) return state;
    const int64_t slots = r.getInt("optimizer.slots");
    const std::vector<std::string> names = makeOptimizer(oc)->slotNames();
    if (params.empty() || slots != int64_t(names.size() * params.size()))
        throw FileError(source + ": " + std::to_string(slots) + " optimizer slots, the " + optimizerName(oc.kind) +
                        " optimiser of this model keeps " + std::to_string(names.size() * params.size()));
    for (int64_t i = 0; i < slots; ++i) {
        const Parameter& p = params[size_t(i) % params.size()];
        state.push_back({names[size_t(i) / params.size()], p.name, shapeOf(p),
                         r.getFloats("optimizer.slot." + std::to_string(i))});
    }
    return state;
}
} // namespace

SavedModel deserializeModel(const std::string& bytes, const std::string& source) {
    ArchiveReader r(bytes, source, kModelFormatVersion);
    // Version 1 (before layer specs): dense widths only, parameters without shapes,
    // optimiser slots by position. Version 2 adds what is read below when present.
    const bool v2 = r.version() >= 2;
    SavedModel saved;
    ModelConfig c;
    try {
        c.kind = parseModelKind(r.getString("model.kind"));
        c.inputDim = intField(r, "model.inputDim", source);
        if (v2) {
            c.inputShape = parseShapeRecord(r.getString("model.inputShape"), "model.inputShape", source);
            c.encoderLayers = parseSpecs(r.getString("model.encoderLayers"));
            c.decoderLayers = parseSpecs(r.getString("model.decoderLayers"));
        }
        c.encoderWidths = splitInts(r.getString("model.encoderWidths"), "model.encoderWidths", source);
        c.latentDim = intField(r, "model.latentDim", source);
        c.decoderWidths = splitInts(r.getString("model.decoderWidths"), "model.decoderWidths", source);
        c.activation = parseActivation(r.getString("model.activation"));
        c.loss = parseLoss(r.getString("model.loss"));
        c.beta = r.getDouble("model.beta");
        c.sparsity = r.getDouble("model.sparsity");
        // Added within version 2; files written before have no geometry term.
        if (r.has("model.geometry")) c.geometry = r.getDouble("model.geometry");
        if (r.has("model.geometryNeighbours"))
            c.geometryNeighbours = intField(r, "model.geometryNeighbours", source);
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

    const std::vector<Parameter> params = saved.model->parameters();
    for (const auto& p : params) {
        const auto values = r.getFloats("param." + p.name);
        if (v2) {
            const std::string stored = r.getString("shape." + p.name);
            if (stored != joinIndices(shapeOf(p)))
                throw FileError(source + ": parameter '" + p.name + "' is stored as " + stored +
                                ", the architecture needs " + joinIndices(shapeOf(p)));
        }
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
    saved.optimizerState = readOptimizerState(r, params, oc, source);
    if (r.has("optimizer.steps")) {
        saved.optimizerSteps = r.getInt("optimizer.steps");
        if (saved.optimizerSteps < 0) throw FileError(source + ": negative optimizer step count");
    }
    // Matched here, by name and shape, so that a file that does not fit is refused when
    // opened rather than when training resumes.
    try {
        const auto optimizer = makeOptimizer(oc);
        optimizer->setState(saved.optimizerState, params, saved.optimizerSteps);
        saved.optimizerState = optimizer->state(params); // in the parameters' order
    } catch (const ConfigError& e) {
        throw FileError(source + ": " + e.what());
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
