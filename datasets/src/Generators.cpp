// The synthetic sets follow scikit-learn's make_swiss_roll, make_s_curve, make_moons,
// make_circles and make_blobs, so results can be compared with Python notebooks (the
// random streams differ, the shapes and parameter ranges do not).
#include "latentlab/Generators.h"

#include "Random.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace latentlab::data {

namespace {

using detail::Random;

constexpr double kPi = 3.14159265358979323846;
// Enough for any teaching plot while keeping a mistyped size from eating the memory.
constexpr int64_t kMaxSamples = 10'000'000;
constexpr int64_t kMaxValues = 100'000'000; // 400 MB of floats

void checkOptions(const char* name, const GeneratorOptions& o) {
    const std::string who = std::string(name) + ": ";
    if (o.samples < 1 || o.samples > kMaxSamples)
        throw DataError(who + "samples must be between 1 and " + std::to_string(kMaxSamples) +
                        ", got " + std::to_string(o.samples));
    if (!std::isfinite(o.noise) || o.noise < 0)
        throw DataError(who + "noise must be a finite number >= 0, got " + std::to_string(o.noise));
    if (!(o.testFraction >= 0.0 && o.testFraction <= 1.0))
        throw DataError(who + "testFraction must be in [0, 1], got " +
                        std::to_string(o.testFraction));
}

// The metadata every generated set shares; values are filled by the caller.
Dataset start(const char* name, const GeneratorOptions& o, int64_t cols) {
    Dataset d;
    d.name = name;
    char noise[32];
    std::snprintf(noise, sizeof noise, "%g", o.noise);
    d.source = "generated (seed " + std::to_string(o.seed) + ", " + std::to_string(o.samples) +
               " samples, noise " + noise + ")";
    d.rows = o.samples;
    d.cols = cols;
    d.values.resize(size_t(o.samples * cols));
    d.labels.resize(size_t(o.samples));
    d.trainRows = std::llround(double(o.samples) * (1.0 - o.testFraction));
    return d;
}

void setClasses(Dataset& d, int count, const char* labelName) {
    d.labelKind = LabelKind::Class;
    d.labelName = labelName;
    for (int c = 0; c < count; ++c)
        d.classNames.push_back(std::to_string(c));
}

// Fisher–Yates over whole rows, so classes built one after the other end up mixed and any
// prefix (the training part, a mini-batch) sees every class.
void shuffleRows(Dataset& d, Random& rng) {
    const auto cols = size_t(d.cols);
    for (int64_t i = d.rows - 1; i > 0; --i) {
        const auto j = int64_t(rng.below(uint64_t(i) + 1));
        if (j == i) continue;
        for (size_t c = 0; c < cols; ++c)
            std::swap(d.values[size_t(i) * cols + c], d.values[size_t(j) * cols + c]);
        std::swap(d.labels[size_t(i)], d.labels[size_t(j)]);
    }
}

void addNoise(Dataset& d, double noise, Random& rng) {
    if (noise <= 0) return;
    for (float& v : d.values)
        v = float(v + noise * rng.normal());
}

// n points evenly spaced in [0, span) (or [0, span] when closed), as numpy.linspace.
double spaced(int64_t i, int64_t n, double span, bool closed) {
    if (n <= 1) return 0.0;
    return span * double(i) / double(closed ? n - 1 : n);
}

} // namespace

Dataset makeSwissRoll(const GeneratorOptions& o) {
    checkOptions("swissroll", o);
    Random rng(o.seed);
    Dataset d = start("swissroll", o, 3);
    d.labelKind = LabelKind::Continuous;
    d.labelName = "roll parameter t";
    // t = 1.5 pi (1 + 2u) in [1.5 pi, 4.5 pi]: one and a half turns of the spiral
    // (x, z) = t (cos t, sin t), swept along the height y = 21 v.
    for (int64_t i = 0; i < o.samples; ++i) {
        const double t = 1.5 * kPi * (1.0 + 2.0 * rng.uniform());
        const double h = 21.0 * rng.uniform();
        float* row = &d.values[size_t(i * 3)];
        row[0] = float(t * std::cos(t));
        row[1] = float(h);
        row[2] = float(t * std::sin(t));
        d.labels[size_t(i)] = float(t);
    }
    addNoise(d, o.noise, rng);
    return d;
}

Dataset makeSCurve(const GeneratorOptions& o) {
    checkOptions("scurve", o);
    Random rng(o.seed);
    Dataset d = start("scurve", o, 3);
    d.labelKind = LabelKind::Continuous;
    d.labelName = "curve parameter t";
    // t = 3 pi (u - 1/2) in [-1.5 pi, 1.5 pi]; x = sin t, z = sign(t) (cos t - 1) draws the
    // two opposite half-turns of the S, y = 2 v its height.
    for (int64_t i = 0; i < o.samples; ++i) {
        const double t = 3.0 * kPi * (rng.uniform() - 0.5);
        const double h = 2.0 * rng.uniform();
        const double sign = t < 0 ? -1.0 : (t > 0 ? 1.0 : 0.0);
        float* row = &d.values[size_t(i * 3)];
        row[0] = float(std::sin(t));
        row[1] = float(h);
        row[2] = float(sign * (std::cos(t) - 1.0));
        d.labels[size_t(i)] = float(t);
    }
    addNoise(d, o.noise, rng);
    return d;
}

Dataset makeTwoMoons(const GeneratorOptions& o) {
    checkOptions("moons", o);
    Random rng(o.seed);
    Dataset d = start("moons", o, 2);
    setClasses(d, 2, "moon");
    // Upper moon (class 0): (cos a, sin a); lower moon (class 1): (1 - cos a, 1/2 - sin a),
    // a evenly over [0, pi]. The lower one is the upper shifted right and down so the tips
    // reach into each other's hollows: not linearly separable.
    const int64_t outer = o.samples / 2;
    const int64_t inner = o.samples - outer;
    for (int64_t i = 0; i < o.samples; ++i) {
        const bool lower = i >= outer;
        const double a = lower ? spaced(i - outer, inner, kPi, true) : spaced(i, outer, kPi, true);
        float* row = &d.values[size_t(i * 2)];
        row[0] = float(lower ? 1.0 - std::cos(a) : std::cos(a));
        row[1] = float(lower ? 0.5 - std::sin(a) : std::sin(a));
        d.labels[size_t(i)] = lower ? 1.0f : 0.0f;
    }
    shuffleRows(d, rng);
    addNoise(d, o.noise, rng);
    return d;
}

Dataset makeCircles(const GeneratorOptions& o) {
    checkOptions("circles", o);
    Random rng(o.seed);
    Dataset d = start("circles", o, 2);
    setClasses(d, 2, "circle");
    // Class 0 on the unit circle, class 1 on the circle of radius factor = 0.5, angles
    // evenly over [0, 2 pi) so neither ring has a gap.
    constexpr double factor = 0.5;
    const int64_t outer = o.samples / 2;
    const int64_t inner = o.samples - outer;
    for (int64_t i = 0; i < o.samples; ++i) {
        const bool in = i >= outer;
        const double a =
            in ? spaced(i - outer, inner, 2.0 * kPi, false) : spaced(i, outer, 2.0 * kPi, false);
        const double r = in ? factor : 1.0;
        float* row = &d.values[size_t(i * 2)];
        row[0] = float(r * std::cos(a));
        row[1] = float(r * std::sin(a));
        d.labels[size_t(i)] = in ? 1.0f : 0.0f;
    }
    shuffleRows(d, rng);
    addNoise(d, o.noise, rng);
    return d;
}

Dataset makeBlobs(const GeneratorOptions& o) {
    checkOptions("blobs", o);
    if (o.classes < 1 || o.classes > 1000)
        throw DataError("blobs: classes must be between 1 and 1000, got " +
                        std::to_string(o.classes));
    if (o.dimensions < 1 || o.dimensions > 1000)
        throw DataError("blobs: dimensions must be between 1 and 1000, got " +
                        std::to_string(o.dimensions));
    if (o.samples * o.dimensions > kMaxValues)
        throw DataError("blobs: " + std::to_string(o.samples) + " samples x " +
                        std::to_string(o.dimensions) + " dimensions is more than " +
                        std::to_string(kMaxValues) + " values");
    Random rng(o.seed);
    const int dims = o.dimensions;
    Dataset d = start("blobs", o, dims);
    setClasses(d, o.classes, "blob");

    // Centres uniform in the box [-10, 10]^d; each blob an isotropic unit Gaussian around
    // its centre (sklearn's center_box and cluster_std = 1). The noise option adds on top,
    // as for the other sets, so the spread is sqrt(1 + noise^2) per coordinate.
    std::vector<double> centres(size_t(o.classes) * size_t(dims));
    for (double& c : centres)
        c = rng.uniform(-10.0, 10.0);
    // Equal class sizes; the first samples % classes classes get one extra sample.
    const int64_t base = o.samples / o.classes;
    const int64_t extra = o.samples % o.classes;
    int64_t i = 0;
    for (int k = 0; k < o.classes; ++k) {
        const int64_t count = base + (k < extra ? 1 : 0);
        for (int64_t n = 0; n < count; ++n, ++i) {
            for (int c = 0; c < dims; ++c)
                d.values[size_t(i * dims + c)] =
                    float(centres[size_t(k) * size_t(dims) + size_t(c)] + rng.normal());
            d.labels[size_t(i)] = float(k);
        }
    }
    shuffleRows(d, rng);
    addNoise(d, o.noise, rng);
    return d;
}

} // namespace latentlab::data
