#include "latentlab/LatentGrid.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace latentlab {

double normalQuantile(double p) {
    if (!(p > 0.0 && p < 1.0)) throw ConfigError("normalQuantile: p must lie in (0, 1), got " + std::to_string(p));
    // Phi is increasing; [-40, 40] holds the quantile of every double in (0, 1) not
    // rounded to 0 or 1. Halving 200 times leaves one representable number.
    double lo = -40.0, hi = 40.0;
    for (int k = 0; k < 200 && lo < hi; ++k) {
        const double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi) break;
        if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

void LatentGridSpec::validate(Index latentDim) const {
    auto bad = [](const std::string& what) { throw ConfigError(what); };
    if (steps < 2 || steps > 64) bad("grid: steps must be between 2 and 64 (got " + std::to_string(steps) + ")");
    if (dimX < 0 || dimY < 0 || dimX >= latentDim || dimY >= latentDim || dimX == dimY)
        bad("grid: the dimensions must be two different ones of 0.." + std::to_string(latentDim - 1));
    if (gaussian) {
        if (!(spread > 0 && std::isfinite(spread))) bad("grid: the spread must be a positive number");
    } else if (!(std::isfinite(xMin) && std::isfinite(xMax) && std::isfinite(yMin) && std::isfinite(yMax) &&
                 xMin < xMax && yMin < yMax)) {
        bad("grid: the box must be finite with min < max on both axes");
    }
}

double gridCoordinate(const LatentGridSpec& s, int i, double lo, double hi) {
    const double u = (double(i) + 0.5) / double(s.steps);
    return s.gaussian ? s.spread * normalQuantile(u) : lo + u * (hi - lo);
}

bool fitGridBox(LatentGridSpec& s, const Matrix& codes, double tail) {
    std::vector<double> xs, ys;
    for (Index i = 0; i < codes.cols(); ++i)
        if (codes.col(i).allFinite()) {
            xs.push_back(codes(s.dimX, i));
            ys.push_back(codes(s.dimY, i));
        }
    if (xs.size() < 2) return false;
    auto at = [](std::vector<double> v, double q) {
        std::sort(v.begin(), v.end());
        return v[size_t(std::clamp(std::lround(q * double(v.size() - 1)), 0L, long(v.size() - 1)))];
    };
    s.xMin = at(xs, tail);
    s.xMax = std::max(at(xs, 1 - tail), s.xMin + 1e-6);
    s.yMin = at(ys, tail);
    s.yMax = std::max(at(ys, 1 - tail), s.yMin + 1e-6);
    return true;
}

Matrix interpolateCodes(const Vector& a, const Vector& b, int steps, bool spherical) {
    if (steps < 2 || steps > 1000) throw ConfigError("interpolation: steps must be between 2 and 1000 (got " + std::to_string(steps) + ")");
    if (a.size() != b.size() || a.size() == 0) throw ConfigError("interpolation: the two codes differ in size");
    const Eigen::VectorXd x = a.cast<double>(), y = b.cast<double>();
    const double nx = x.norm(), ny = y.norm();
    double omega = 0;
    if (spherical && nx > 0 && ny > 0) omega = std::acos(std::clamp(x.dot(y) / (nx * ny), -1.0, 1.0));
    const bool arc = spherical && std::sin(omega) > 1e-6;
    Matrix out(a.size(), steps);
    for (int i = 0; i < steps; ++i) {
        const double t = double(i) / double(steps - 1);
        Eigen::VectorXd z;
        if (arc) {
            // Unit directions along the great circle, the norm interpolated linearly.
            const Eigen::VectorXd u = (std::sin((1 - t) * omega) * x / nx + std::sin(t * omega) * y / ny) / std::sin(omega);
            z = ((1 - t) * nx + t * ny) * u;
        } else {
            z = x + t * (y - x);
        }
        out.col(i) = z.cast<Scalar>();
    }
    out.col(0) = a; // exactly the ends
    out.col(steps - 1) = b;
    return out;
}

Vector meanCode(const Matrix& codes) {
    Vector sum = Vector::Zero(codes.rows());
    Index n = 0;
    for (Index i = 0; i < codes.cols(); ++i) {
        if (!codes.col(i).allFinite()) continue;
        sum += codes.col(i);
        ++n;
    }
    return n > 0 ? Vector(sum / Scalar(n)) : sum;
}

Matrix gridCodes(const LatentGridSpec& s, const Vector& base) {
    s.validate(base.size());
    Matrix codes(base.size(), Index(s.steps) * s.steps);
    for (int r = 0; r < s.steps; ++r)
        for (int c = 0; c < s.steps; ++c) {
            const Index col = Index(r) * s.steps + c;
            codes.col(col) = base;
            codes(s.dimX, col) = Scalar(gridCoordinate(s, c, s.xMin, s.xMax));
            codes(s.dimY, col) = Scalar(gridCoordinate(s, s.steps - 1 - r, s.yMin, s.yMax));
        }
    return codes;
}

} // namespace latentlab
