#include "latentlab/Activation.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace latentlab {

Scalar sigmoid(Scalar z) {
    // Branch so that exp never overflows: for z < 0 use e^z / (1 + e^z).
    if (z >= 0) return Scalar(1) / (Scalar(1) + std::exp(-z));
    const Scalar e = std::exp(z);
    return e / (Scalar(1) + e);
}

void applyActivation(Activation f, Eigen::Ref<Matrix> z) {
    auto a = z.array();
    switch (f) {
    case Activation::Identity:
        break;
    case Activation::ReLU:
        a = a.max(Scalar(0));
        break;
    case Activation::LeakyReLU:
        a = (a > 0).select(a, kLeakySlope * a);
        break;
    case Activation::ELU:
        a = (a > 0).select(a, kEluAlpha * (a.exp() - Scalar(1)));
        break;
    case Activation::Tanh:
        a = a.tanh();
        break;
    case Activation::Sigmoid:
        a = a.unaryExpr([](Scalar v) { return sigmoid(v); });
        break;
    }
}

void multiplyByDerivative(Activation f, const Eigen::Ref<const Matrix>& out, Eigen::Ref<Matrix> g) {
    const auto a = out.array();
    auto ga = g.array();
    switch (f) {
    case Activation::Identity:
        break;
    case Activation::ReLU: // f' = 1 where a > 0
        ga = (a > 0).select(ga, Scalar(0));
        break;
    case Activation::LeakyReLU: // a > 0 exactly when z > 0
        ga = (a > 0).select(ga, kLeakySlope * ga);
        break;
    case Activation::ELU: // z < 0: f' = alpha e^z = a + alpha
        ga = (a > 0).select(ga, ga * (a + kEluAlpha));
        break;
    case Activation::Tanh: // f' = 1 - a^2
        ga *= Scalar(1) - a.square();
        break;
    case Activation::Sigmoid: // f' = a (1 - a)
        ga *= a * (Scalar(1) - a);
        break;
    }
}

namespace {
struct NamedActivation {
    const char* name;
    Activation value;
};
constexpr NamedActivation kNames[] = {
    {"identity", Activation::Identity}, {"relu", Activation::ReLU},
    {"leaky_relu", Activation::LeakyReLU}, {"elu", Activation::ELU},
    {"tanh", Activation::Tanh}, {"sigmoid", Activation::Sigmoid},
};
} // namespace

std::string activationName(Activation f) {
    for (const auto& n : kNames)
        if (n.value == f) return n.name;
    return "identity";
}

std::vector<std::string> activationNames() {
    std::vector<std::string> names;
    for (const auto& n : kNames) names.emplace_back(n.name);
    return names;
}

Activation parseActivation(const std::string& name) {
    std::string key;
    for (char c : name)
        if (c != '_' && c != '-') key += char(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& n : kNames) {
        std::string candidate;
        for (const char* p = n.name; *p; ++p)
            if (*p != '_') candidate += *p;
        if (candidate == key) return n.value;
    }
    std::string list;
    for (const auto& n : kNames) list += std::string(list.empty() ? "" : ", ") + n.name;
    throw ConfigError("activation: unknown '" + name + "' (choose one of " + list + ")");
}

} // namespace latentlab
