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

// Infinite or NaN weights or normaliser values would decode every point to inf or NaN.
void requireFiniteValues(const std::vector<float>& values, const std::string& record, const std::string& source) {
    for (size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            throw FileError(source + ": " + record + " value " + std::to_string(i) + " is not a finite number (" +
                            std::to_string(values[i]) + ")");
}

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

namespace {
// An epoch's report as numbers, in this order ("trainer.history": kHistoryFields each).
constexpr size_t kHistoryFields = 15;

void putLoss(std::vector<double>& out, const LossTerms& l) {
    out.insert(out.end(), {l.total, l.reconstruction, l.kl, l.penalty});
}

LossTerms takeLoss(const double* v) { return LossTerms{v[0], v[1], v[2], v[3]}; }

void writePosition(ArchiveWriter& w, const TrainerPosition& p, const std::vector<Parameter>& params) {
    w.putInts("trainer.counts", {p.epoch, p.batch, p.steps, p.epochSamples});
    w.putString("trainer.rng", p.rng);
    w.putInts("trainer.order", std::vector<int64_t>(p.order.begin(), p.order.end()));
    std::vector<double> now;
    putLoss(now, p.epochSum);
    now.insert(now.end(), {p.epochSeconds, p.learningRate, p.beta});
    w.putDoubles("trainer.epoch", now);
    for (size_t k = 0; k < p.epochStart.size() && k < params.size(); ++k)
        w.putFloats("trainer.epochStart." + params[k].name, toFloats(p.epochStart[k].data(), p.epochStart[k].size()));
    std::vector<double> history;
    for (const EpochReport& r : p.history) {
        history.insert(history.end(), {double(r.epoch), double(r.epochs)});
        putLoss(history, r.train);
        putLoss(history, r.validation);
        history.insert(history.end(), {r.hasValidation ? 1.0 : 0.0, r.seconds, r.samplesPerSecond,
                                       r.learningRate, r.beta});
    }
    w.putDoubles("trainer.history", history);
}

TrainerPosition readPosition(const ArchiveReader& r, const std::vector<Parameter>& params, const std::string& source) {
    auto bad = [&](const std::string& what) -> void { throw FileError(source + ": training position: " + what); };
    TrainerPosition p;
    const std::vector<int64_t> counts = r.getInts("trainer.counts");
    if (counts.size() != 4) bad("'trainer.counts' holds " + std::to_string(counts.size()) + " numbers, not 4");
    if (counts[0] < 0 || counts[0] > INT_MAX || counts[1] < 0 || counts[2] < 0 || counts[3] < 0)
        bad("a count is out of range");
    p.epoch = int(counts[0]);
    p.batch = Index(counts[1]);
    p.steps = counts[2];
    p.epochSamples = Index(counts[3]);
    p.rng = r.getString("trainer.rng");
    for (int64_t i : r.getInts("trainer.order")) p.order.push_back(Index(i));
    const std::vector<double> now = r.getDoubles("trainer.epoch");
    if (now.size() != 7) bad("'trainer.epoch' holds " + std::to_string(now.size()) + " numbers, not 7");
    p.epochSum = takeLoss(now.data());
    p.epochSeconds = now[4];
    p.learningRate = now[5];
    p.beta = now[6];
    if (p.batch > 0) {
        for (const Parameter& param : params) {
            const std::string name = "trainer.epochStart." + param.name;
            if (!r.has(name)) bad("the epoch's starting weights of '" + param.name + "' are missing");
            const std::vector<float> values = r.getFloats(name);
            if (values.size() != size_t(param.size)) bad("the epoch's starting weights of '" + param.name + "' do not fit");
            requireFiniteValues(values, name, source);
            p.epochStart.push_back(toVector(values));
        }
    }
    const std::vector<double> history = r.getDoubles("trainer.history");
    if (history.size() % kHistoryFields != 0) bad("'trainer.history' is not whole epochs");
    for (size_t at = 0; at < history.size(); at += kHistoryFields) {
        const double* v = history.data() + at;
        EpochReport e;
        if (!(v[0] >= 0 && v[0] <= INT_MAX && v[1] >= 0 && v[1] <= INT_MAX)) bad("an epoch number is out of range");
        e.epoch = int(v[0]);
        e.epochs = int(v[1]);
        e.train = takeLoss(v + 2);
        e.validation = takeLoss(v + 6);
        e.hasValidation = v[10] != 0;
        e.seconds = v[11];
        e.samplesPerSecond = v[12];
        e.learningRate = v[13];
        e.beta = v[14];
        p.history.push_back(e);
    }
    return p;
}
} // namespace

std::string serializeModel(Model& model, const Optimizer* optimizer,
                           const OptimizerConfig& oc,
                           const std::map<std::string, std::string>& metadata,
                           const TrainerPosition* position) {
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
    if (position) writePosition(w, *position, params);
    for (const auto& [key, value] : metadata) w.putString("meta." + key, value);
    return w.bytes(kModelFormatVersion);
}

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
    // Added within version 2: files written before, or without a trainer, have none.
    if (r.has("trainer.counts")) saved.position = readPosition(r, params, source);
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
