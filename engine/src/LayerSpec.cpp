#include "latentlab/LayerSpec.h"

#include <cctype>
#include <sstream>

namespace latentlab {

namespace {
constexpr Index kMaxUnits = 1 << 24;    // dense outputs (a decoder's output layer is as wide as the data)
constexpr Index kMaxChannels = 1 << 16;
constexpr Index kMaxWindow = 64;            // kernel, stride, padding, scale
constexpr int64_t kMaxValuesPerSample = 1 << 24;

[[noreturn]] void bad(const LayerSpec& s, const std::string& why) {
    throw ConfigError("layer '" + s.text() + "': " + why);
}

bool takesActivation(const std::string& kind) { return kind == "dense" || kind == "conv" || kind == "convt"; }
bool isPool(const std::string& kind) { return kind == "maxpool" || kind == "avgpool"; }
const char* const kKinds = "dense, conv, convt, maxpool, avgpool, upsample, flatten or reshape";

// Image input required; names what was given instead.
void requireImage(const LayerSpec& s, const Shape& input) {
    if (input.kind != Shape::Kind::Image)
        bad(s, "needs an image (channels×height×width) but is given " + input.text() +
                   (input.kind == Shape::Kind::Flat ? " flat features; put a reshape before it" : ""));
}

int64_t checkedSize(const LayerSpec& s, const Shape& out) {
    const int64_t n = int64_t(out.channels) * out.height * out.width;
    if (out.channels < 1 || out.height < 1 || out.width < 1) bad(s, "would give an empty output " + out.text());
    if (n > kMaxValuesPerSample) bad(s, "would give " + std::to_string(n) + " values per sample, more than 2^24");
    return n;
}
} // namespace

LayerSpec LayerSpec::dense(Index units, Activation activation) {
    LayerSpec s;
    s.kind = "dense";
    s.units = units;
    s.activation = activation;
    return s;
}

LayerSpec LayerSpec::conv(Index channels, Index kernel, Index stride, Index padding, Activation activation) {
    LayerSpec s;
    s.kind = "conv";
    s.units = channels;
    s.kernel = kernel;
    s.stride = stride;
    s.padding = padding;
    s.activation = activation;
    return s;
}

LayerSpec LayerSpec::convTranspose(Index channels, Index kernel, Index stride, Index padding, Index outputPadding,
                                   Activation activation) {
    LayerSpec s = conv(channels, kernel, stride, padding, activation);
    s.kind = "convt";
    s.outputPadding = outputPadding;
    return s;
}

LayerSpec LayerSpec::pool(const std::string& kind, Index kernel, Index stride) {
    LayerSpec s;
    s.kind = kind;
    s.kernel = kernel;
    s.stride = stride;
    return s;
}

LayerSpec LayerSpec::upsample(Index scale) {
    LayerSpec s;
    s.kind = "upsample";
    s.scale = scale;
    return s;
}

LayerSpec LayerSpec::flatten() {
    LayerSpec s;
    s.kind = "flatten";
    return s;
}

LayerSpec LayerSpec::reshape(const Shape& shape) {
    LayerSpec s;
    s.kind = "reshape";
    s.shape = shape;
    return s;
}

Index LayerSpec::effectiveStride() const {
    if (stride > 0) return stride;
    return isPool(kind) ? kernel : 1;
}

std::string LayerSpec::text() const {
    std::string t = kind;
    auto add = [&](const std::string& token) { t += " " + token; };
    if (kind == "dense" || kind == "conv" || kind == "convt") add(std::to_string(units));
    if (kind == "conv" || kind == "convt") {
        add("k" + std::to_string(kernel));
        if (stride > 1) add("s" + std::to_string(stride));
        if (padding > 0) add("p" + std::to_string(padding));
        if (outputPadding > 0) add("op" + std::to_string(outputPadding));
    }
    if (isPool(kind)) {
        add(std::to_string(kernel));
        if (stride > 0 && stride != kernel) add("s" + std::to_string(stride));
    }
    if (kind == "upsample") add(std::to_string(scale));
    if (kind == "reshape") {
        if (shape.kind == Shape::Kind::Image)
            add(std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" + std::to_string(shape.width));
        else
            add(std::to_string(shape.size()));
    }
    if (takesActivation(kind) && activation != Activation::Identity) add(activationName(activation));
    return t;
}

std::string LayerSpec::label() const {
    const std::string act = activation != Activation::Identity ? " " + activationName(activation) : "";
    const std::string k = std::to_string(kernel) + "×" + std::to_string(kernel);
    const Index st = effectiveStride();
    if (kind == "conv" || kind == "convt")
        return kind + " " + std::to_string(units) + "@" + k + (st > 1 ? "/" + std::to_string(st) : "") +
               (padding > 0 ? " pad " + std::to_string(padding) : "") + act;
    if (isPool(kind)) return kind + " " + k + (st != kernel ? "/" + std::to_string(st) : "");
    if (kind == "upsample") return "upsample ×" + std::to_string(scale);
    if (kind == "dense") return "dense " + std::to_string(units) + act;
    return kind;
}

namespace {
// "k3" -> 3 when `token` starts with `prefix` followed by digits only.
bool numberAfter(const std::string& token, const std::string& prefix, Index& out) {
    if (token.size() <= prefix.size() || token.compare(0, prefix.size(), prefix) != 0) return false;
    const std::string digits = token.substr(prefix.size());
    for (char c : digits)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    if (digits.size() > 9) return false;
    out = Index(std::stol(digits));
    return true;
}
} // namespace

LayerSpec LayerSpec::parse(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> tokens;
    for (std::string t; in >> t;) tokens.push_back(t);
    auto fail = [&](const std::string& why) -> LayerSpec {
        throw ConfigError("layer '" + text + "': " + why);
    };
    if (tokens.empty()) return fail("is empty (write for example 'conv 16 k3 s2 p1 relu')");
    LayerSpec s;
    s.kind = tokens[0];
    for (char& c : s.kind) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (s.kind == "conv2d") s.kind = "conv";
    if (s.kind == "convtranspose" || s.kind == "convtranspose2d" || s.kind == "deconv") s.kind = "convt";
    if (s.kind == "linear") s.kind = "dense";
    const bool known = takesActivation(s.kind) || isPool(s.kind) || s.kind == "upsample" || s.kind == "flatten" ||
                       s.kind == "reshape";
    if (!known) return fail("unknown kind '" + tokens[0] + "' (choose " + kKinds + ")");

    size_t i = 1;
    auto positional = [&](const std::string& what) -> Index {
        Index v = 0;
        if (i >= tokens.size() || !numberAfter(tokens[i], "", v)) fail("needs " + what + " after '" + s.kind + "'");
        ++i;
        return v;
    };
    if (takesActivation(s.kind)) s.units = positional(s.kind == "dense" ? "the number of outputs" : "the number of channels");
    if (isPool(s.kind) && i < tokens.size() && !numberAfter(tokens[i], "k", s.kernel)) s.kernel = positional("the window");
    else if (isPool(s.kind) && i < tokens.size()) ++i;
    if (s.kind == "upsample") s.scale = positional("the scale factor");
    if (s.kind == "reshape") {
        if (i >= tokens.size()) fail("needs a shape such as 32x7x7");
        if (tokens[i].back() == 'x') fail("shape '" + tokens[i] + "' is not like 32x7x7 or 784"); // "2x" is not "2"
        std::vector<Index> dims;
        std::stringstream ds(tokens[i]);
        int64_t values = 1;
        for (std::string d; std::getline(ds, d, 'x');) {
            Index v = 0;
            if (!numberAfter(d, "", v)) fail("shape '" + tokens[i] + "' is not like 32x7x7 or 784");
            dims.push_back(v);
            values = std::min<int64_t>(values * std::max<Index>(v, 1), kMaxValuesPerSample + 1); // no overflow
        }
        if (values > kMaxValuesPerSample) fail("shape '" + tokens[i] + "' has more than 2^24 values");
        if (dims.size() == 3) s.shape = Shape::image(dims[0], dims[1], dims[2]);
        else if (dims.size() == 1) s.shape = Shape::flat(dims[0]);
        else fail("shape '" + tokens[i] + "' is not like 32x7x7 or 784");
        ++i;
    }
    for (; i < tokens.size(); ++i) {
        const std::string& t = tokens[i];
        const bool conv = s.kind == "conv" || s.kind == "convt";
        Index v = 0;
        if (conv && numberAfter(t, "op", v) && s.kind == "convt") s.outputPadding = v;
        else if ((conv || isPool(s.kind)) && numberAfter(t, "k", v)) s.kernel = v;
        else if ((conv || isPool(s.kind)) && numberAfter(t, "s", v)) s.stride = v;
        else if (conv && numberAfter(t, "p", v)) s.padding = v;
        else if (takesActivation(s.kind) && i + 1 == tokens.size()) {
            try {
                s.activation = parseActivation(t);
            } catch (const ConfigError& e) {
                if (s.kind == "dense") fail(e.what());
                fail(std::string("'") + t + "' is neither a setting (k3, s2, p1" + (s.kind == "convt" ? ", op1" : "") +
                     ") nor an activation: " + e.what());
            }
        } else
            fail("does not understand '" + t + "'");
    }
    if ((s.kind == "conv" || s.kind == "convt" || isPool(s.kind)) && s.kernel == 0)
        fail("needs a kernel size (k3)");
    // Normalise the default stride away so that text() and == see one spelling.
    if (isPool(s.kind) && s.stride == s.kernel) s.stride = 0;
    if ((s.kind == "conv" || s.kind == "convt") && s.stride == 1) s.stride = 0;
    return s;
}

Shape LayerSpec::outputShape(const Shape& in) const {
    in.validate("layer '" + text() + "' input");
    const Index st = effectiveStride();
    auto range = [&](Index v, Index lo, Index hi, const std::string& what) {
        if (v < lo || v > hi)
            bad(*this, what + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " (got " +
                           std::to_string(v) + ")");
    };
    if (kind == "dense") {
        range(units, 1, kMaxUnits, "outputs");
        if (in.kind != Shape::Kind::Flat) bad(*this, "needs flat features but is given " + in.text() + "; put a flatten before it");
        return Shape::flat(units);
    }
    if (kind == "flatten") return Shape::flat(in.size());
    if (kind == "reshape") {
        shape.validate("layer '" + text() + "'");
        if (shape.size() != in.size())
            bad(*this, "cannot lay out " + in.text() + " (" + std::to_string(in.size()) + " values) as " + shape.text() +
                           " (" + std::to_string(shape.size()) + ")");
        return shape;
    }
    requireImage(*this, in);
    Shape out = in;
    if (kind == "conv" || kind == "convt") {
        range(units, 1, kMaxChannels, "channels");
        range(kernel, 1, kMaxWindow, "kernel");
        range(st, 1, kMaxWindow, "stride");
        range(padding, 0, kMaxWindow, "padding");
        out.channels = units;
        if (kind == "conv") {
            if (outputPadding != 0) bad(*this, "output padding belongs to convt only");
            if (in.height + 2 * padding < kernel || in.width + 2 * padding < kernel)
                bad(*this, "kernel " + std::to_string(kernel) + " is larger than the padded input " + in.text());
            out.height = (in.height + 2 * padding - kernel) / st + 1;
            out.width = (in.width + 2 * padding - kernel) / st + 1;
        } else {
            if (outputPadding < 0 || outputPadding >= st)
                bad(*this, "output padding must be smaller than the stride (got " + std::to_string(outputPadding) + ")");
            out.height = (in.height - 1) * st - 2 * padding + kernel + outputPadding;
            out.width = (in.width - 1) * st - 2 * padding + kernel + outputPadding;
        }
    } else if (isPool(kind)) {
        range(kernel, 1, kMaxWindow, "window");
        range(st, 1, kMaxWindow, "stride");
        if (in.height < kernel || in.width < kernel)
            bad(*this, "window " + std::to_string(kernel) + " is larger than the input " + in.text());
        out.height = (in.height - kernel) / st + 1;
        out.width = (in.width - kernel) / st + 1;
    } else if (kind == "upsample") {
        range(scale, 1, kMaxWindow, "scale");
        out.height = in.height * scale;
        out.width = in.width * scale;
    } else {
        bad(*this, std::string("unknown kind (choose ") + kKinds + ")");
    }
    checkedSize(*this, out);
    return out;
}

int64_t LayerSpec::parameterCount(const Shape& in) const {
    const Shape out = outputShape(in);
    if (kind == "dense") return (int64_t(in.size()) + 1) * units;
    if (kind == "conv" || kind == "convt") return int64_t(in.channels) * out.channels * kernel * kernel + out.channels;
    return 0;
}

bool LayerSpec::operator==(const LayerSpec& o) const {
    return kind == o.kind && units == o.units && kernel == o.kernel && effectiveStride() == o.effectiveStride() &&
           padding == o.padding && outputPadding == o.outputPadding && scale == o.scale && shape == o.shape &&
           activation == o.activation;
}

std::string specsText(const std::vector<LayerSpec>& specs) {
    std::string t;
    for (size_t i = 0; i < specs.size(); ++i) t += (i ? "; " : "") + specs[i].text();
    return t;
}

std::vector<LayerSpec> parseSpecs(const std::string& text) {
    std::vector<LayerSpec> specs;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ';');) {
        if (item.find_first_not_of(" \t") == std::string::npos) continue;
        try {
            specs.push_back(LayerSpec::parse(item));
        } catch (const ConfigError& e) {
            throw ConfigError("layer " + std::to_string(specs.size() + 1) + ": " + e.what());
        }
    }
    return specs;
}

std::vector<Shape> chainShapes(const std::vector<LayerSpec>& specs, const Shape& input) {
    std::vector<Shape> shapes{input};
    for (size_t i = 0; i < specs.size(); ++i) {
        try {
            shapes.push_back(specs[i].outputShape(shapes.back()));
        } catch (const ConfigError& e) {
            throw ConfigError("layer " + std::to_string(i + 1) + ": " + e.what());
        }
    }
    return shapes;
}

std::string shapeText(const std::vector<Index>& shape) {
    std::string t;
    for (size_t i = 0; i < shape.size(); ++i) t += (i ? "×" : "") + std::to_string(shape[i]);
    return t;
}

} // namespace latentlab
