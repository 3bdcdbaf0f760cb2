#include "OnnxExport.h"

#include "latentlab/Conv.h"
#include "latentlab/Dense.h"
#include "latentlab/FileIo.h"
#include "latentlab/Vae.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace latentlab::exporting {

namespace {

constexpr int kOpset = 13;
constexpr int64_t kIrVersion = 8;

// Builds one graph node by node, following the tensor that flows through it and its
// per-sample shape (flat features or an image), so each layer knows what it is given.
class GraphBuilder {
public:
    GraphBuilder(onnx::GraphProto& graph, std::string input, Shape shape)
        : m_graph(graph), m_current(std::move(input)), m_shape(shape) {}

    const std::string& current() const { return m_current; }
    const Shape& shape() const { return m_shape; }

    // A float initializer of the given dimensions, values copied from `values` (row-major
    // in `dims`).
    std::string floats(const std::string& name, const std::vector<int64_t>& dims,
                       const Scalar* values) {
        onnx::TensorProto* t = m_graph.add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        int64_t count = 1;
        for (int64_t d : dims)
            t->add_dims(d), count *= d;
        static_assert(sizeof(Scalar) == sizeof(float), "ONNX initializers are written as float32");
        t->set_raw_data(
            std::string(reinterpret_cast<const char*>(values), size_t(count) * sizeof(float)));
        return name;
    }
    std::string int64s(const std::string& name, const std::vector<int64_t>& values) {
        onnx::TensorProto* t = m_graph.add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(int64_t(values.size()));
        for (int64_t v : values)
            t->add_int64_data(v);
        return name;
    }

    // Adds `op` on the current tensor (and `extra` inputs); its output becomes current.
    onnx::NodeProto& apply(const std::string& op, const std::string& output,
                           const std::vector<std::string>& extra = {}) {
        onnx::NodeProto* node = m_graph.add_node();
        node->set_op_type(op);
        node->set_name(output);
        node->add_input(m_current);
        for (const std::string& e : extra)
            node->add_input(e);
        node->add_output(output);
        m_current = output;
        return *node;
    }
    void setShape(const Shape& shape) { m_shape = shape; }

    static void ints(onnx::NodeProto& node, const std::string& name,
                     const std::vector<int64_t>& values) {
        onnx::AttributeProto* a = node.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (int64_t v : values)
            a->add_ints(v);
    }
    static void integer(onnx::NodeProto& node, const std::string& name, int64_t value) {
        onnx::AttributeProto* a = node.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(value);
    }
    static void number(onnx::NodeProto& node, const std::string& name, float value) {
        onnx::AttributeProto* a = node.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(value);
    }
    static void text(onnx::NodeProto& node, const std::string& name, const std::string& value) {
        onnx::AttributeProto* a = node.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::STRING);
        a->set_s(value);
    }

    // [batch, C, H, W] from flat [batch, C*H*W], or back.
    void toImage(const std::string& prefix, const Shape& image) {
        apply("Reshape", prefix + "_image",
              {int64s(prefix + "_image_shape", {-1, image.channels, image.height, image.width})});
        m_shape = image;
    }
    void toFlat(const std::string& prefix) {
        integer(apply("Flatten", prefix + "_flat"), "axis", 1);
        m_shape = Shape::flat(m_shape.size());
    }

    void activation(const std::string& prefix, Activation a) {
        switch (a) {
        case Activation::Identity:
            return;
        case Activation::ReLU:
            apply("Relu", prefix + "_relu");
            return;
        case Activation::LeakyReLU:
            number(apply("LeakyRelu", prefix + "_leaky_relu"), "alpha", kLeakySlope);
            return;
        case Activation::ELU:
            number(apply("Elu", prefix + "_elu"), "alpha", float(kEluAlpha));
            return;
        case Activation::Tanh:
            apply("Tanh", prefix + "_tanh");
            return;
        case Activation::Sigmoid:
            apply("Sigmoid", prefix + "_sigmoid");
            return;
        }
    }

    // One engine layer, its parameters named as in the model file ("encoder.3.weight").
    void layer(const Layer& layer, const std::string& prefix) {
        const LayerSpec spec = layer.spec();
        const Shape in = layer.inputShape(), out = layer.outputShape();
        if (spec.kind == "dense") {
            const auto& dense = dynamic_cast<const Dense&>(layer);
            if (m_shape.kind != Shape::Kind::Flat) toFlat(prefix);
            // The engine keeps a dense weight as an outputs x inputs column-major matrix: in
            // row-major terms inputs x outputs, Gemm's B as it stands (y = x B + b).
            const std::string w =
                floats(prefix + ".weight", {in.size(), out.size()}, dense.weight().data());
            const std::string b = floats(prefix + ".bias", {out.size()}, dense.bias().data());
            apply("Gemm", prefix, {w, b});
            m_shape = out;
            activation(prefix, spec.activation);
            return;
        }
        if (in.kind == Shape::Kind::Image && m_shape.kind != Shape::Kind::Image)
            toImage(prefix, in);
        if (spec.kind == "conv" || spec.kind == "convt") {
            const auto& conv = dynamic_cast<const ConvolutionBase&>(layer);
            const bool transposed = spec.kind == "convt";
            const int64_t k = spec.kernel, s = spec.effectiveStride(), p = spec.padding;
            const std::vector<int64_t> dims =
                transposed ? std::vector<int64_t>{in.channels, out.channels, k, k}
                           : std::vector<int64_t>{out.channels, in.channels, k, k};
            const std::string w = floats(prefix + ".weight", dims, conv.weight().data());
            const std::string b = floats(prefix + ".bias", {out.channels}, conv.bias().data());
            onnx::NodeProto& node = apply(transposed ? "ConvTranspose" : "Conv", prefix, {w, b});
            ints(node, "kernel_shape", {k, k});
            ints(node, "strides", {s, s});
            ints(node, "pads", {p, p, p, p}); // top, left, bottom, right
            if (transposed && spec.outputPadding > 0)
                ints(node, "output_padding", {spec.outputPadding, spec.outputPadding});
            m_shape = out;
            activation(prefix, spec.activation);
        } else if (spec.kind == "maxpool" || spec.kind == "avgpool") {
            onnx::NodeProto& node =
                apply(spec.kind == "maxpool" ? "MaxPool" : "AveragePool", prefix);
            ints(node, "kernel_shape", {spec.kernel, spec.kernel});
            ints(node, "strides", {spec.effectiveStride(), spec.effectiveStride()});
            m_shape = out;
        } else if (spec.kind == "upsample") {
            const Scalar scales[4] = {1, 1, Scalar(spec.scale), Scalar(spec.scale)};
            onnx::NodeProto& node =
                apply("Resize", prefix, {"", floats(prefix + "_scales", {4}, scales)});
            text(node, "mode", "nearest");
            text(node, "coordinate_transformation_mode", "asymmetric");
            text(node, "nearest_mode", "floor");
            m_shape = out;
        } else if (spec.kind == "flatten") {
            toFlat(prefix);
        } else if (spec.kind == "reshape") {
            if (out.kind == Shape::Kind::Image) {
                if (m_shape.kind != Shape::Kind::Flat) toFlat(prefix + "_in");
                toImage(prefix, out);
            } else {
                toFlat(prefix);
            }
        } else {
            throw std::runtime_error("ONNX export: no operator for layer '" + spec.text() + "'");
        }
        if (m_shape != out)
            throw std::runtime_error("ONNX export: layer '" + spec.text() + "' gives " +
                                     m_shape.text() + ", expected " + out.text());
    }

    void network(const Sequential& layers, const std::string& prefix) {
        for (size_t i = 0; i < layers.size(); ++i)
            layer(layers.layer(i), prefix + "." + std::to_string(i));
    }

private:
    onnx::GraphProto& m_graph;
    std::string m_current;
    Shape m_shape;
};

void declare(onnx::ValueInfoProto* value, const std::string& name, int64_t features,
             const std::string& doc) {
    value->set_name(name);
    value->set_doc_string(doc);
    onnx::TypeProto_Tensor* tensor = value->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    tensor->mutable_shape()->add_dim()->set_dim_param("batch");
    tensor->mutable_shape()->add_dim()->set_dim_value(features);
}

onnx::ModelProto newModel(const OnnxExport& about, const std::string& part, const Model& model) {
    onnx::ModelProto m;
    m.set_ir_version(kIrVersion);
    m.set_producer_name("Latent Lab");
    m.set_producer_version(about.version);
    m.set_model_version(1);
    m.set_doc_string("The " + part + " of " + modelKindName(model.kind()) + " '" + about.name +
                     "' trained on " + about.dataset + " by Latent Lab");
    m.add_opset_import()->set_version(kOpset); // the default domain
    auto meta = [&](const std::string& key, const std::string& value) {
        onnx::StringStringEntryProto* e = m.add_metadata_props();
        e->set_key(key);
        e->set_value(value);
    };
    meta("latentlab.model", about.name);
    meta("latentlab.dataset", about.dataset);
    meta("latentlab.kind", modelKindName(model.kind()));
    meta("latentlab.latent_dim", std::to_string(model.latentDim()));
    meta("latentlab.input_shape", model.config().modelInputShape().text());
    meta("latentlab.normalizer", normalizerName(model.normalizer().kind()));
    m.mutable_graph()->set_name(about.name.empty() ? part : about.name + " " + part);
    return m;
}

std::string finish(onnx::ModelProto& model, const std::string& part) {
    try {
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        throw std::runtime_error("ONNX export: the " + part +
                                 " fails the ONNX checker: " + e.what());
    }
    std::string bytes;
    if (!model.SerializeToString(&bytes))
        throw std::runtime_error("ONNX export: could not serialize the " + part);
    return bytes;
}

} // namespace

std::string onnxEncoder(const Model& model, const OnnxExport& about) {
    onnx::ModelProto m = newModel(about, "encoder", model);
    onnx::GraphProto& g = *m.mutable_graph();
    const Index features = model.inputDim();
    const Index k = model.latentDim();
    declare(g.add_input(), "x", features, "samples in the data's own units, one per row");
    GraphBuilder b(g, "x", Shape::flat(features));
    const Normalizer& norm = model.normalizer();
    if (norm.kind() != Normalizer::Kind::None) {
        b.apply("Sub", "x_centred",
                {b.floats("normalizer.shift", {features}, norm.shift().data())});
        b.apply("Mul", "x_normalised",
                {b.floats("normalizer.scale", {features}, norm.scale().data())});
    }
    b.network(model.encoderNetwork(), "encoder");
    if (b.shape().kind != Shape::Kind::Flat) b.toFlat("head");
    if (model.kind() == ModelKind::Vae) {
        onnx::NodeProto* split = g.add_node();
        split->set_op_type("Split");
        split->set_name("heads");
        split->add_input(b.current());
        split->add_input(b.int64s("heads_split", {k, k}));
        split->add_output("mean");
        split->add_output("log_variance");
        GraphBuilder::integer(*split, "axis", 1);
        declare(g.add_output(), "mean", k, "the posterior mean: the code");
        declare(g.add_output(), "log_variance", k, "the posterior's log-variance");
    } else {
        b.apply("Identity", "z");
        declare(g.add_output(), "z", k, "the latent code");
    }
    return finish(m, "encoder");
}

std::string onnxDecoder(const Model& model, const OnnxExport& about) {
    onnx::ModelProto m = newModel(about, "decoder", model);
    onnx::GraphProto& g = *m.mutable_graph();
    const Index features = model.inputDim();
    declare(g.add_input(), "z", model.latentDim(), "latent codes, one per row");
    GraphBuilder b(g, "z", Shape::flat(model.latentDim()));
    b.network(model.decoderNetwork(), "decoder");
    if (b.shape().kind != Shape::Kind::Flat) b.toFlat("output");
    if (model.config().loss == ReconstructionLoss::Bce) b.apply("Sigmoid", "output_probability");
    const Normalizer& norm = model.normalizer();
    if (norm.kind() != Normalizer::Kind::None) {
        b.apply("Div", "output_unscaled",
                {b.floats("normalizer.scale", {features}, norm.scale().data())});
        b.apply("Add", "x", {b.floats("normalizer.shift", {features}, norm.shift().data())});
    } else {
        b.apply("Identity", "x");
    }
    declare(g.add_output(), "x", features, "decoded samples in the data's own units");
    return finish(m, "decoder");
}

std::vector<std::string> writeOnnx(const Model& model, const OnnxExport& about,
                                   const std::string& folder) {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) throw std::runtime_error(folder + ": cannot create the folder: " + error.message());
    const std::string encoder = onnxEncoder(model, about), decoder = onnxDecoder(model, about);
    const std::string paths[2] = {(std::filesystem::path(folder) / "encoder.onnx").string(),
                                  (std::filesystem::path(folder) / "decoder.onnx").string()};
    writeFileAtomically(paths[0], encoder);
    writeFileAtomically(paths[1], decoder);
    return {paths[0], paths[1]};
}

} // namespace latentlab::exporting
