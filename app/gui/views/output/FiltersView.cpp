#include "views/output/FiltersView.h"

#include "views/output/ImageView.h"

#include "latentlab/Conv.h"
#include "latentlab/Dense.h"
#include "latentlab/Threads.h"

#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace latentlab::gui {

namespace {
// Weights as colours: white at zero, towards red for positive and blue for negative, full
// at +-scale.
QRgb diverging(double w, double scale) {
    const double t = scale > 0 ? std::clamp(w / scale, -1.0, 1.0) : 0.0;
    const int fade = int(255 * (1 - std::abs(t)) + 0.5); // rounded: the argument is >= 0
    return t >= 0 ? qRgb(255, fade, fade) : qRgb(fade, fade, 255);
}

// count pictures of width × height values each (value (i, y, x) at value(i, y * width + x)),
// in a grid of square-ish shape, each pixel `zoom` screen pixels, 1-pixel gaps. Each value's
// colour is worked out once and copied to its zoom × zoom pixels: the window draws this for
// every newer model while training.
template <class Colour>
QImage grid(int count, int width, int height, int zoom, Colour colour) {
    const int columns = std::max(1, int(std::ceil(std::sqrt(double(count)))));
    const int rows = (count + columns - 1) / columns;
    const int cellW = width * zoom + 1, cellH = height * zoom + 1;
    QImage image(columns * cellW - 1, rows * cellH - 1, QImage::Format_RGB32);
    image.fill(QColor(160, 160, 160));
    for (int i = 0; i < count; ++i)
        for (int vy = 0; vy < height; ++vy) {
            const int top = (i / columns) * cellH + vy * zoom;
            auto* first = reinterpret_cast<QRgb*>(image.scanLine(top)) + (i % columns) * cellW;
            for (int vx = 0; vx < width; ++vx) std::fill_n(first + vx * zoom, zoom, colour(i, Index(vy) * width + vx));
            for (int zy = 1; zy < zoom; ++zy)
                std::copy_n(first, width * zoom, reinterpret_cast<QRgb*>(image.scanLine(top + zy)) + (i % columns) * cellW);
        }
    return image;
}

int zoomFor(int side) { return std::max(1, 48 / std::max(1, side)); }
} // namespace

QImage filterImage(const Model& model, const data::Dataset& data, QString* caption) {
    const Sequential& net = model.encoderNetwork();
    if (net.empty()) return {};
    const Layer& first = net.layer(0);
    if (const auto* conv = dynamic_cast<const ConvolutionBase*>(&first)) {
        // weight: out × in × k × k; the first input channel's kernel of each filter.
        const Matrix& w = conv->weight();
        const Shape in = conv->inputShape();
        const Index k = conv->spec().kernel, outputs = conv->outputShape().channels;
        const double scale = w.cwiseAbs().maxCoeff();
        *caption = QObject::tr("First layer: %1 filters %2×%2%3 (blue < 0 < red, ±%4)")
                       .arg(outputs)
                       .arg(k)
                       .arg(in.channels > 1 ? QObject::tr(", input channel 1 of %1").arg(in.channels) : QString())
                       .arg(scale, 0, 'g', 2);
        return grid(int(outputs), int(k), int(k), zoomFor(int(k)), [&](int i, Index v) {
            return diverging(double(w.data()[Index(i) * in.channels * k * k + v]), scale);
        });
    }
    if (const auto* dense = dynamic_cast<const Dense*>(&first); dense && data.isImage() &&
                                                                 dense->inputSize() == data.cols) {
        // Each unit's weights over the image: weight is units × pixels (column-major).
        const Matrix& w = dense->weight();
        const int units = int(std::min<Index>(w.rows(), 64));
        const double scale = w.topRows(units).cwiseAbs().maxCoeff();
        *caption = QObject::tr("First layer: the weights of %1 of its %2 units over the image (blue < 0 < red)")
                       .arg(units)
                       .arg(w.rows());
        return grid(units, data.imageWidth, data.imageHeight, 2,
                    [&](int i, Index v) { return diverging(double(w(i, v)), scale); });
    }
    *caption = QObject::tr("The first layer (%1) has no filters to picture; a convolutional model (Layers: "
                           "Layer list) or a dense one on images has.")
                   .arg(QString::fromStdString(first.describe()));
    return {};
}

QImage featureMapImage(const Model& model, const data::Dataset& data, Index row, QString* caption) {
    const Sequential& net = model.encoderNetwork();
    if (net.empty() || row < 0 || row >= data.rows) return {};
    const auto* conv = dynamic_cast<const ConvolutionBase*>(&net.layer(0));
    if (!conv || data.cols != conv->inputSize()) return {};
    Matrix x(data.cols, 1), maps;
    for (Index j = 0; j < data.cols; ++j) x(j, 0) = Scalar(data.value(row, j));
    model.normalizer().apply(x);
    conv->predict(x, maps);
    const Shape out = conv->outputShape();
    const Index area = out.height * out.width;
    QString label;
    if (data.labelKind == data::LabelKind::Class && size_t(data.labels[size_t(row)]) < data.classNames.size())
        label = QStringLiteral(" (%1)").arg(QString::fromStdString(data.classNames[size_t(data.labels[size_t(row)])]));
    *caption = QObject::tr("Its %1 feature maps (%2×%3) of sample %4%5; each map from black (its lowest) to white")
                   .arg(out.channels)
                   .arg(out.height)
                   .arg(out.width)
                   .arg(row)
                   .arg(label);
    std::vector<std::pair<Scalar, Scalar>> range(size_t(out.channels));
    for (Index c = 0; c < out.channels; ++c) {
        const auto m = maps.col(0).segment(c * area, area);
        range[size_t(c)] = {m.minCoeff(), m.maxCoeff()};
    }
    return grid(int(out.channels), int(out.width), int(out.height), zoomFor(int(out.width)), [&](int c, Index v) {
        const auto [lo, hi] = range[size_t(c)];
        const double t = hi > lo ? double(maps(c * area + v, 0) - lo) / double(hi - lo) : 0.0;
        const int g = int(std::lround(255 * t));
        return qRgb(g, g, g);
    });
}

FiltersView::FiltersView(QWidget* parent) : QWidget(parent), m_filters(new ImageView), m_maps(new ImageView) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filters, 1);
    layout->addWidget(m_maps, 1);
    m_filters->setObjectName("filters");
    m_maps->setObjectName("featureMaps");
    m_filters->setCaption(tr("The first layer's filters appear here once a model is set up."));
}

void FiltersView::setSession(const SessionInfo& info) {
    m_dataset = info.dataset;
    m_row = 0;
    m_model.reset();
    m_pacer.reset();
}

void FiltersView::snapshotArrived(const TrainingSnapshot& snapshot) {
    m_pacer.setRunning(snapshot.state == RunState::Running);
}

void FiltersView::setModel(std::shared_ptr<const Model> model) { m_pacer.offer(std::move(model)); }

void FiltersView::showModel(std::shared_ptr<const Model> model) {
    m_model = std::move(model);
    redraw(true);
}

void FiltersView::setSampleRow(int row) {
    if (row < 0 || row == m_row) return;
    m_row = row;
    redraw(false); // the filters are the same; only the maps change with the sample
}

void FiltersView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    redraw(true); // skipped while hidden
}

void FiltersView::redraw(bool filtersToo) {
    if (!m_model || !m_dataset || !isVisible()) return;
    const SingleThreaded onThisThread; // the GUI thread never fans out
    QString caption;
    if (filtersToo) {
        const QImage filters = filterImage(*m_model, *m_dataset, &caption);
        m_filters->setImage(filters);
        m_filters->setCaption(caption);
        caption.clear();
    }
    const QImage maps = featureMapImage(*m_model, *m_dataset, m_row, &caption);
    m_maps->setImage(maps);
    m_maps->setCaption(maps.isNull() ? QString() : caption);
}

} // namespace latentlab::gui
