#include "training/Decoding.h"

#include "latentlab/Random.h"
#include "latentlab/Threads.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace latentlab::gui {

Vector decodeToData(const Model& model, const Vector& z) {
    const SingleThreaded onThisThread;
    Matrix in = z, out;
    model.decode(in, out);
    model.normalizer().invert(out);
    return out.col(0);
}

Matrix decodeColumns(const Model& model, const Matrix& z) {
    const SingleThreaded onThisThread;
    Matrix out(model.inputDim(), z.cols());
    for (Index i = 0; i < z.cols(); ++i) out.col(i) = decodeToData(model, z.col(i));
    return out;
}

Matrix samplePrior(Index latentDim, int count, uint64_t seed) {
    Rng rng(seed);
    Matrix z(latentDim, std::max(0, count));
    for (Index i = 0; i < z.size(); ++i) z.data()[i] = Scalar(rng.normal());
    return z;
}

Vector planePoint(const Vector& base, int dimX, int dimY, double x, double y) {
    Vector z = base;
    if (dimX >= 0 && dimX < z.size()) z[dimX] = Scalar(x);
    if (dimY >= 0 && dimY < z.size()) z[dimY] = Scalar(y);
    return z;
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

QImage toImage(const Scalar* values, int width, int height) {
    QImage image(width, height, QImage::Format_Grayscale8);
    for (int y = 0; y < height; ++y) {
        uchar* line = image.scanLine(y);
        for (int x = 0; x < width; ++x) {
            const double v = double(values[y * width + x]);
            line[x] = uchar(std::isfinite(v) ? std::clamp(std::lround(v), 0L, 255L) : 0);
        }
    }
    return image;
}

QImage sampleImage(const data::Dataset& d, Index row) {
    Vector v(d.cols);
    for (Index c = 0; c < d.cols; ++c) v[c] = Scalar(d.value(row, c));
    return toImage(v.data(), d.imageWidth, d.imageHeight);
}

QImage imageGrid(const Matrix& images, int width, int height, int columns, int scale) {
    const int n = int(images.cols());
    columns = std::max(1, std::min(columns, n));
    const int rows = std::max(1, (n + columns - 1) / columns);
    const int cell = width * scale + 1, cellH = height * scale + 1;
    QImage grid(columns * cell - 1, rows * cellH - 1, QImage::Format_RGB32);
    grid.fill(QColor(200, 200, 200));
    QPainter p(&grid);
    for (int i = 0; i < n; ++i) {
        const Vector col = images.col(i);
        const QImage img = toImage(col.data(), width, height).scaled(width * scale, height * scale);
        p.drawImage((i % columns) * cell, (i / columns) * cellH, img);
    }
    return grid;
}

} // namespace latentlab::gui
