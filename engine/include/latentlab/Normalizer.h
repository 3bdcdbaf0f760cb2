// Per-feature affine normalisation x' = (x - shift) * scale, fitted on the training part
// and stored in the model, so new data is treated exactly like the training data.
#pragma once

#include "latentlab/Types.h"

#include <string>

namespace latentlab {

struct DataView;

class Normalizer {
public:
    enum class Kind {
        None,         // identity
        Standardize,  // zero mean, unit variance per feature (constant features: scale 1)
        MinMax,       // each feature to [0, 1] (constant features: scale 1)
        GlobalMinMax, // one range for all features to [0, 1]: images (bytes / 255)
    };

    Normalizer() = default;
    // Fits on samples [0, rows) of data.
    static Normalizer fit(Kind kind, const DataView& data, Index rows);
    static Normalizer identity(Index features);

    Kind kind() const { return m_kind; }
    Index features() const { return m_shift.size(); }
    const Vector& shift() const { return m_shift; }
    const Vector& scale() const { return m_scale; }
    void set(Kind kind, Vector shift, Vector scale);

    // Empty when every value of samples [0, rows) of data, normalised in Scalar arithmetic
    // as training does it, is finite and at most `limit` in magnitude; else what is wrong
    // with the data, naming the sample and feature (0-based) and what to do.
    std::string rangeProblem(const DataView& data, Index rows, double limit) const;

    void apply(Matrix& x) const;  // raw -> normalised, in place (columns are samples)
    void invert(Matrix& x) const; // normalised -> raw

private:
    Kind m_kind = Kind::None;
    Vector m_shift, m_scale;
};

std::string normalizerName(Normalizer::Kind kind);
Normalizer::Kind parseNormalizer(const std::string& name); // throws ConfigError

} // namespace latentlab
