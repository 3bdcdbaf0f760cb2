#include "latentlab/Shape.h"

namespace latentlab {

Shape Shape::flat(Index n) {
    Shape s;
    s.kind = Kind::Flat;
    s.features = n;
    return s;
}

Shape Shape::image(Index c, Index h, Index w) {
    Shape s;
    s.kind = Kind::Image;
    s.channels = c;
    s.height = h;
    s.width = w;
    return s;
}

Shape Shape::sequence(Index steps, Index features) {
    Shape s;
    s.kind = Kind::Sequence;
    s.steps = steps;
    s.features = features;
    return s;
}

Index Shape::size() const {
    switch (kind) {
    case Kind::Image: return channels * height * width;
    case Kind::Sequence: return steps * features;
    case Kind::Flat: break;
    }
    return features;
}

std::string Shape::text() const {
    switch (kind) {
    case Kind::Image:
        return std::to_string(channels) + "×" + std::to_string(height) + "×" + std::to_string(width);
    case Kind::Sequence: return std::to_string(steps) + " steps × " + std::to_string(features);
    case Kind::Flat: break;
    }
    return std::to_string(features);
}

void Shape::validate(const std::string& what) const {
    const bool ok = kind == Kind::Image      ? channels >= 1 && height >= 1 && width >= 1
                    : kind == Kind::Sequence ? steps >= 1 && features >= 1
                                             : features >= 1;
    if (!ok) throw ConfigError(what + ": shape " + text() + " has an empty dimension");
}

bool Shape::operator==(const Shape& o) const {
    if (kind != o.kind) return false;
    switch (kind) {
    case Kind::Image: return channels == o.channels && height == o.height && width == o.width;
    case Kind::Sequence: return steps == o.steps && features == o.features;
    case Kind::Flat: break;
    }
    return features == o.features;
}

} // namespace latentlab
