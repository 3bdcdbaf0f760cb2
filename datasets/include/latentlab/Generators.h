// Synthetic datasets for teaching: each is reproducible from (seed, samples, noise).
// Labels: Swiss roll and S-curve carry their continuous position along the manifold;
// moons, circles and blobs carry class labels.
#pragma once

#include "latentlab/Dataset.h"

namespace latentlab::data {

struct GeneratorOptions {
    int64_t samples = 2000;
    double noise = 0.05;     // standard deviation of Gaussian noise added to each coordinate
    uint64_t seed = 1;
    double testFraction = 0.2; // trainRows = round(samples * (1 - testFraction))
    int classes = 3;         // blobs only
    int dimensions = 2;      // blobs only
};

Dataset makeSwissRoll(const GeneratorOptions& o);   // 3-D, label t in [1.5pi, 4.5pi]
Dataset makeSCurve(const GeneratorOptions& o);      // 3-D, label t in [-1.5pi, 1.5pi]
Dataset makeTwoMoons(const GeneratorOptions& o);    // 2-D, 2 classes
Dataset makeCircles(const GeneratorOptions& o);     // 2-D, 2 classes (factor 0.5)
Dataset makeBlobs(const GeneratorOptions& o);       // o.dimensions-D, o.classes classes

} // namespace latentlab::data
