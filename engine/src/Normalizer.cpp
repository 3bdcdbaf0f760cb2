#include "latentlab/Normalizer.h"

#include "latentlab/Batch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace latentlab {

Normalizer Normalizer::identity(Index features) {
    Normalizer n;
    n.set(Kind::None, Vector::Zero(features), Vector::Ones(features));
    return n;
}

Normalizer Normalizer::fit(Kind kind, const DataView& data, Index rows) {
    const Index d = data.cols;
    if (kind == Kind::None || rows <= 0) {
        Normalizer n = identity(d);
        n.m_kind = kind;
        return n;
    }
    std::vector<double> a(size_t(d), 0.0), b(size_t(d), 0.0);
    Vector shift(d), scale(d);
    if (kind == Kind::Standardize) {
        // Two passes (mean, then squared deviations) in double: stable for large offsets.
        for (Index i = 0; i < rows; ++i)
            for (Index j = 0; j < d; ++j) a[size_t(j)] += data.at(i, j);
        for (Index j = 0; j < d; ++j) a[size_t(j)] /= double(rows);
        for (Index i = 0; i < rows; ++i)
            for (Index j = 0; j < d; ++j) {
                const double e = data.at(i, j) - a[size_t(j)];
                b[size_t(j)] += e * e;
            }
        for (Index j = 0; j < d; ++j) {
            const double sd = std::sqrt(b[size_t(j)] / double(rows));
            shift[j] = Scalar(a[size_t(j)]);
            scale[j] = Scalar(sd > 1e-12 ? 1.0 / sd : 1.0);
        }
    } else {
        std::fill(a.begin(), a.end(), INFINITY);
        std::fill(b.begin(), b.end(), -INFINITY);
        for (Index i = 0; i < rows; ++i)
            for (Index j = 0; j < d; ++j) {
                const double v = data.at(i, j);
                a[size_t(j)] = std::min(a[size_t(j)], v);
                b[size_t(j)] = std::max(b[size_t(j)], v);
            }
        if (kind == Kind::GlobalMinMax) {
            const double lo = *std::min_element(a.begin(), a.end());
            const double hi = *std::max_element(b.begin(), b.end());
            std::fill(a.begin(), a.end(), lo);
            std::fill(b.begin(), b.end(), hi);
        }
        for (Index j = 0; j < d; ++j) {
            const double range = b[size_t(j)] - a[size_t(j)];
            shift[j] = Scalar(a[size_t(j)]);
            scale[j] = Scalar(range > 1e-12 ? 1.0 / range : 1.0);
        }
    }
    Normalizer n;
    n.set(kind, shift, scale);
    return n;
}

void Normalizer::set(Kind kind, Vector shift, Vector scale) {
    if (shift.size() != scale.size()) throw ConfigError("normalizer: shift and scale sizes differ");
    m_kind = kind;
    m_shift = std::move(shift);
    m_scale = std::move(scale);
}

std::string Normalizer::rangeProblem(const DataView& data, Index rows, double limit) const {
    const Index d = data.cols;
    for (Index i = 0; i < rows; ++i)
        for (Index j = 0; j < d; ++j) {
            const Scalar raw = Scalar(data.at(i, j));
            const Scalar v = m_kind == Kind::None ? raw : (raw - m_shift[j]) * m_scale[j];
            if (std::isfinite(double(v)) && std::abs(double(v)) <= limit) continue;
            char text[400];
            if (!std::isfinite(double(v))) {
                // Only a normaliser turns finite data into non-finite values: the distance
                // from the shift overflows.
                std::snprintf(text, sizeof text,
                              "sample %lld, feature %lld (%g) cannot be normalised (%s): its distance from %g "
                              "overflows float arithmetic; the data's values are too close to float's limit "
                              "(3.4e38), rescale them",
                              (long long)i, (long long)j, double(data.at(i, j)), normalizerName(m_kind).c_str(),
                              double(m_shift[j]));
            } else {
                std::snprintf(text, sizeof text,
                              "sample %lld, feature %lld is %g after normalisation '%s'; training squares such "
                              "values and would overflow float arithmetic (the limit for this data and batch size "
                              "is about %.2g). %s",
                              (long long)i, (long long)j, double(v), normalizerName(m_kind).c_str(), limit,
                              m_kind == Kind::None ? "Normalise the data (dataset.normalize: standardize or minmax) "
                                                     "or rescale it"
                                                   : "Rescale the data");
            }
            return text;
        }
    return {};
}

void Normalizer::apply(Matrix& x) const {
    if (m_kind == Kind::None) return;
    x = ((x.colwise() - m_shift).array().colwise() * m_scale.array()).matrix();
}

void Normalizer::invert(Matrix& x) const {
    if (m_kind == Kind::None) return;
    x = ((x.array().colwise() / m_scale.array()).matrix().colwise() + m_shift);
}

std::string normalizerName(Normalizer::Kind kind) {
    switch (kind) {
    case Normalizer::Kind::Standardize: return "standardize";
    case Normalizer::Kind::MinMax: return "minmax";
    case Normalizer::Kind::GlobalMinMax: return "global-minmax";
    default: return "none";
    }
}

Normalizer::Kind parseNormalizer(const std::string& name) {
    for (auto k : {Normalizer::Kind::None, Normalizer::Kind::Standardize, Normalizer::Kind::MinMax,
                   Normalizer::Kind::GlobalMinMax})
        if (normalizerName(k) == name) return k;
    throw ConfigError("normalize: unknown '" + name +
                      "' (choose none, standardize, minmax or global-minmax)");
}

} // namespace latentlab
