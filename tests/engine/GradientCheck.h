// The finite-difference gradient checker shared by the gradient tests, on the double
// engine (latentlab_engine_f64). Each analytic gradient a (from backward / trainStep) is
// compared with the central difference
//     n = (L(w + h) - L(w - h)) / 2h,   h = 1e-5,
// whose truncation error O(h^2 L''') and rounding error O(eps |L| / h) are both ~1e-10 here
// (h ~ (eps |L|)^(1/3) balances them), by the relative error |a - n| / max(|a| + |n|, 1e-3).
// The floor keeps entries whose true gradient is zero (a ReLU that is off) from dividing
// rounding noise by zero. Correct gradients measure below 3e-7; a wrong derivative gives
// errors of 1e-3 and more, far above the 1e-6 tolerance.
#pragma once

#include "latentlab/Random.h"
#include "latentlab/Types.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>

using namespace latentlab;

namespace gradcheck {

static_assert(std::is_same_v<Scalar, double>, "gradient checks need the double engine");

constexpr double kStep = 1e-5;
constexpr double kTolerance = 1e-6;

inline Matrix randomMatrix(Index rows, Index cols, Rng& rng, double scale = 1.0) {
    Matrix m(rows, cols);
    for (Index i = 0; i < m.size(); ++i)
        m.data()[i] = scale * rng.normal();
    return m;
}

inline Matrix uniformMatrix(Index rows, Index cols, Rng& rng, double lo, double hi) {
    Matrix m(rows, cols);
    for (Index i = 0; i < m.size(); ++i)
        m.data()[i] = lo + (hi - lo) * rng.uniform();
    return m;
}

inline double relativeError(double analytic, double numeric) {
    return std::abs(analytic - numeric) / std::max(std::abs(analytic) + std::abs(numeric), 1e-3);
}

// The worst entry found so far, for the failure message.
struct Worst {
    double error = 0;
    QString where;
    void update(double e, const QString& name, Index i, double a, double n) {
        if (e > error || std::isnan(e)) {
            error = std::isnan(e) ? std::numeric_limits<double>::infinity() : e;
            where = QStringLiteral("%1[%2]: analytic %3, numeric %4")
                        .arg(name)
                        .arg(i)
                        .arg(a, 0, 'g', 12)
                        .arg(n, 0, 'g', 12);
        }
    }
    QByteArray message() const {
        return QStringLiteral("worst relative error %1 at %2").arg(error).arg(where).toUtf8();
    }
};

// Compares analytic[i] with the central difference of loss() in values[i], for every entry
// (the models are small enough to check them all). values is restored exactly afterwards.
inline void compare(Scalar* values, const Scalar* analyticPtr, Index n, const QString& name,
             const std::function<double()>& loss, Worst& worst) {
    const Vector analytic = Eigen::Map<const Vector>(analyticPtr, n); // loss() may overwrite
    for (Index i = 0; i < n; ++i) {
        const Scalar saved = values[i];
        values[i] = saved + kStep;
        const double up = loss();
        values[i] = saved - kStep;
        const double down = loss();
        values[i] = saved;
        const double numeric = (up - down) / (2 * kStep);
        worst.update(relativeError(analytic[i], numeric), name, i, analytic[i], numeric);
    }
}

inline void compareParameters(const std::vector<Parameter>& params, const std::function<double()>& loss,
                       Worst& worst) {
    for (const auto& p : params)
        compare(p.value, p.grad, p.size, QString::fromStdString(p.name), loss, worst);
}

// Random biases: initialisation zeroes them, and a zero bias would hide a missing
// bias term in predict() from the check.
inline void randomizeBiases(const std::vector<Parameter>& params, Rng& rng) {
    for (const auto& p : params)
        if (QString::fromStdString(p.name).endsWith(QLatin1String("bias")))
            for (Index i = 0; i < p.size; ++i)
                p.value[i] = 0.3 * rng.normal();
}

} // namespace gradcheck

using namespace gradcheck;
