#include "latentlab/Dataset.h"

#include <algorithm>
#include <cmath>

namespace latentlab::data {

namespace {

std::string who(const Dataset& d) {
    return "dataset '" + (d.name.empty() ? std::string("(unnamed)") : d.name) + "'";
}

// A dataset with d's metadata (name, source, features, label kind and names, image size)
// and no rows: what a copy of some of d's rows starts from.
Dataset emptyLike(const Dataset& d) {
    Dataset out;
    out.name = d.name;
    out.source = d.source;
    out.cols = d.cols;
    out.labelKind = d.labelKind;
    out.classNames = d.classNames;
    out.labelName = d.labelName;
    out.imageWidth = d.imageWidth;
    out.imageHeight = d.imageHeight;
    return out;
}

// d's rows `keep` (ascending) as a new dataset whose first `trainRows` rows are its training part.
Dataset copyRows(const Dataset& d, const std::vector<int64_t>& keep, int64_t trainRows) {
    Dataset out = emptyLike(d);
    out.rows = int64_t(keep.size());
    out.trainRows = trainRows;
    const auto c = size_t(d.cols);
    if (d.isBytes()) out.bytes.resize(keep.size() * c);
    else out.values.resize(keep.size() * c);
    if (d.labelKind != LabelKind::None && !d.labels.empty()) out.labels.resize(keep.size());
    for (size_t i = 0; i < keep.size(); ++i) {
        const size_t from = size_t(keep[i]) * c;
        if (d.isBytes())
            std::copy_n(d.bytes.begin() + std::ptrdiff_t(from), c, out.bytes.begin() + std::ptrdiff_t(i * c));
        else
            std::copy_n(d.values.begin() + std::ptrdiff_t(from), c, out.values.begin() + std::ptrdiff_t(i * c));
        if (!out.labels.empty()) out.labels[i] = d.labels[size_t(keep[i])];
    }
    return out;
}

} // namespace

Dataset Dataset::trainPart() const {
    return slice(0, trainRows);
}

Dataset Dataset::testPart() const {
    return slice(trainRows, rows);
}

Dataset Dataset::slice(int64_t begin, int64_t end) const {
    if (begin < 0 || end < begin || end > rows)
        throw DataError(who(*this) + ": rows [" + std::to_string(begin) + ", " +
                        std::to_string(end) + ") are outside [0, " + std::to_string(rows) + ")");

    // Copy the metadata, then the chosen rows of whichever storage is in use; copying the
    // whole struct first would briefly duplicate all the data.
    Dataset out = emptyLike(*this);
    out.rows = end - begin;
    // Training rows that fall inside [begin, end), counted from the new first row.
    out.trainRows = std::clamp<int64_t>(trainRows - begin, 0, out.rows);

    const auto first = size_t(begin * cols);
    const auto last = size_t(end * cols);
    if (isBytes())
        out.bytes.assign(bytes.begin() + std::ptrdiff_t(first),
                         bytes.begin() + std::ptrdiff_t(last));
    else if (!values.empty())
        out.values.assign(values.begin() + std::ptrdiff_t(first),
                          values.begin() + std::ptrdiff_t(last));
    if (labelKind != LabelKind::None && !labels.empty())
        out.labels.assign(labels.begin() + std::ptrdiff_t(begin),
                          labels.begin() + std::ptrdiff_t(end));
    return out;
}

Dataset Dataset::withoutTrainingClass(int label) const {
    if (labelKind != LabelKind::Class)
        throw DataError(who(*this) + ": leaving class " + std::to_string(label) +
                        " out of training needs class labels, and this dataset has none");
    if (trainRows <= 0 || trainRows >= rows)
        throw DataError(who(*this) + ": leaving class " + std::to_string(label) +
                        " out of training needs a test part to look for it in, and this dataset has none");
    std::vector<int64_t> keep;
    keep.reserve(size_t(rows));
    for (int64_t r = 0; r < rows; ++r)
        if (r >= trainRows || std::lround(labels[size_t(r)]) != label) keep.push_back(r);
    const int64_t dropped = rows - int64_t(keep.size());
    if (dropped == 0)
        throw DataError(who(*this) + ": no training sample has class " + std::to_string(label) +
                        ", so there is nothing to leave out");
    Dataset out = copyRows(*this, keep, trainRows - dropped);
    out.source += ", class " + std::to_string(label) + " left out of training";
    return out;
}

Dataset Dataset::evenlySpaced(int64_t maxTrain, int64_t maxTest) const {
    if (maxTrain < 1 || maxTest < 1)
        throw DataError(who(*this) + ": a subset needs at least one row of each part, asked for " +
                        std::to_string(maxTrain) + " and " + std::to_string(maxTest));
    const int64_t train = trainingRows();
    std::vector<int64_t> keep;
    // Row begin + floor(i * n / m): m rows spread over all n, first and last part alike.
    auto spread = [&keep](int64_t begin, int64_t n, int64_t m) {
        m = std::min(n, m);
        for (int64_t i = 0; i < m; ++i) keep.push_back(begin + i * n / m); // i * n < m * n: no overflow below 3e9 rows
    };
    spread(0, train, maxTrain);
    const int64_t keptTrain = int64_t(keep.size());
    spread(train, rows - train, maxTest);
    Dataset out = copyRows(*this, keep, trainRows > 0 ? keptTrain : 0);
    if (out.rows < rows)
        out.source += ", " + std::to_string(out.rows) + " of its " + std::to_string(rows) + " rows, evenly spaced";
    return out;
}

std::vector<int64_t> Dataset::sampleShape() const {
    if (!isImage()) return {cols};
    return {cols / (int64_t(imageWidth) * imageHeight), imageHeight, imageWidth};
}

void Dataset::validate() const {
    const std::string w = who(*this);
    if (rows < 0 || cols < 0)
        throw DataError(w + ": negative size " + std::to_string(rows) + " x " +
                        std::to_string(cols));
    if (isImage() && (cols == 0 || cols % (int64_t(imageWidth) * imageHeight) != 0))
        throw DataError(w + ": " + std::to_string(cols) + " values per sample are no whole number of " +
                        std::to_string(imageHeight) + " x " + std::to_string(imageWidth) + " images");
    const auto cells = uint64_t(rows) * uint64_t(cols);
    if (!values.empty() && !bytes.empty())
        throw DataError(w + ": holds both float values and bytes; exactly one is allowed");
    const uint64_t held = values.empty() ? bytes.size() : values.size();
    if (held != cells)
        throw DataError(w + ": " + std::to_string(rows) + " rows x " + std::to_string(cols) +
                        " columns need " + std::to_string(cells) + " values, but " +
                        std::to_string(held) + " are stored");
    if (labelKind == LabelKind::None) {
        if (!labels.empty())
            throw DataError(w + ": has " + std::to_string(labels.size()) +
                            " labels but its label kind is None");
    } else if (int64_t(labels.size()) != rows) {
        throw DataError(w + ": has " + std::to_string(labels.size()) + " labels for " +
                        std::to_string(rows) + " rows");
    }
    if (labelKind == LabelKind::Class) {
        // Class labels index classNames (when given), so they must be whole and in range.
        for (size_t i = 0; i < labels.size(); ++i) {
            const float l = labels[i];
            const bool whole = std::isfinite(l) && l >= 0 && std::floor(l) == l;
            const bool named = classNames.empty() || l < float(classNames.size());
            if (!whole || !named)
                throw DataError(w + ": row " + std::to_string(i + 1) + " has class label " +
                                std::to_string(l) + ", not one of 0.." +
                                (classNames.empty() ? std::string("N")
                                                    : std::to_string(classNames.size() - 1)));
        }
    }
    if (trainRows < 0 || trainRows > rows)
        throw DataError(w + ": trainRows " + std::to_string(trainRows) + " is outside 0.." +
                        std::to_string(rows));
    if ((imageWidth > 0 || imageHeight > 0) && int64_t(imageWidth) * int64_t(imageHeight) != cols)
        throw DataError(w + ": images of " + std::to_string(imageWidth) + " x " +
                        std::to_string(imageHeight) + " pixels do not match " +
                        std::to_string(cols) + " columns");
}

} // namespace latentlab::data
