#include "latentlab/Sequential.h"

namespace latentlab {

Sequential::Sequential(const Sequential& other) {
    m_layers.reserve(other.m_layers.size());
    for (const auto& l : other.m_layers) m_layers.push_back(l->clone());
}

Sequential& Sequential::operator=(const Sequential& other) {
    if (this != &other) {
        Sequential copy(other);
        *this = std::move(copy);
    }
    return *this;
}

void Sequential::add(std::unique_ptr<Layer> layer) {
    // Neighbours agree on the shape, not only on the number of values: 784 values in and
    // 1×28×28 out do not chain without a Reshape saying so.
    if (!m_layers.empty() && m_layers.back()->outputShape() != layer->inputShape()) {
        const size_t i = m_layers.size();
        throw ConfigError("layer " + std::to_string(i) + " (" + m_layers.back()->describe() + ") gives " +
                          m_layers.back()->outputShape().text() + " but layer " + std::to_string(i + 1) + " (" +
                          layer->describe() + ") takes " + layer->inputShape().text());
    }
    m_layers.push_back(std::move(layer));
}

Sequential Sequential::build(const std::vector<LayerSpec>& specs, const Shape& input) {
    Sequential s;
    Shape shape = input;
    for (size_t i = 0; i < specs.size(); ++i) {
        try {
            s.add(makeLayer(specs[i], shape));
        } catch (const ConfigError& e) {
            throw ConfigError("layer " + std::to_string(i + 1) + ": " + e.what());
        }
        shape = s.outputShape();
    }
    return s;
}

std::vector<LayerSpec> Sequential::specs() const {
    std::vector<LayerSpec> out;
    for (const auto& l : m_layers) out.push_back(l->spec());
    return out;
}

const Matrix& Sequential::forward(const Matrix& input, const Pass& pass) {
    const Matrix* x = &input;
    for (auto& l : m_layers) x = &l->forward(*x, pass);
    return *x;
}

const Matrix& Sequential::backward(const Matrix& gradOutput, GradientMode mode) {
    const Matrix* g = &gradOutput;
    for (auto it = m_layers.rbegin(); it != m_layers.rend(); ++it) g = &(*it)->backward(*g, mode);
    return *g;
}

void Sequential::predict(const Matrix& input, Matrix& output) const {
    if (m_layers.size() == 1) {
        m_layers.front()->predict(input, output);
        return;
    }
    // Ping-pong between two buffers so each layer reads one and writes the other.
    Matrix a, b;
    const Matrix* x = &input;
    for (size_t i = 0; i < m_layers.size(); ++i) {
        Matrix& y = (i + 1 == m_layers.size()) ? output : (i % 2 == 0 ? a : b);
        m_layers[i]->predict(*x, y);
        x = &y;
    }
}

void Sequential::initialize(Rng& rng) {
    for (auto& l : m_layers) l->initialize(rng);
}

std::vector<Parameter> Sequential::parameters(const std::string& prefix) {
    std::vector<Parameter> all;
    for (size_t i = 0; i < m_layers.size(); ++i)
        for (auto p : m_layers[i]->parameters()) {
            p.name = prefix + "." + std::to_string(i) + "." + p.name;
            all.push_back(p);
        }
    return all;
}

bool Sequential::gradientsFinite() {
    for (const auto& l : m_layers)
        if (!l->gradientsFinite()) return false;
    return true;
}

void Sequential::setComputesInputGradient(bool on) {
    // Nothing before the first layer with parameters needs a gradient either (a flatten in
    // front of a dense layer would otherwise cost the dense layer its input product).
    for (auto& l : m_layers) {
        l->setComputesInputGradient(on);
        if (!l->parameters().empty()) break;
    }
}

} // namespace latentlab
