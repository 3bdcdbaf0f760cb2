// Dataset: a table of samples (rows) by features (columns) with optional labels.
//
// Values are stored sample-major: sample i's features are contiguous. That is exactly the
// column-major layout of a features x samples matrix, so the engine can view a range of
// samples as Eigen columns without copying. Images keep their pixels as bytes (0..255)
// to quarter the memory; everything else is stored as float.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace latentlab::data {

// Thrown for every problem with input data; what() names the file/field and the problem.
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class LabelKind { None, Class, Continuous };

struct Dataset {
    std::string name;   // "swissroll", "mnist", "fashion-mnist", or a file's base name
    std::string source; // where it came from: a path, or "generated (seed 1, 2000 samples)"
    int64_t rows = 0;   // samples
    int64_t cols = 0;   // features

    // Exactly one of these holds rows*cols values, sample-major.
    std::vector<float> values;
    std::vector<uint8_t> bytes; // images: value = byte (0..255)

    LabelKind labelKind = LabelKind::None;
    std::vector<float> labels;            // rows entries when labelKind != None
    std::vector<std::string> classNames;  // for LabelKind::Class (index = label), may be empty
    std::string labelName;                // e.g. "digit", "roll parameter t"

    int imageWidth = 0; // > 0 when every sample is an image of imageWidth x imageHeight
    int imageHeight = 0;

    // The first trainRows samples are the training part, the rest the test part.
    int64_t trainRows = 0;

    bool isBytes() const { return !bytes.empty(); }
    bool isImage() const { return imageWidth > 0 && imageHeight > 0; }
    // The layout of one sample: {channels, height, width} for images (MNIST and
    // Fashion-MNIST are {1, 28, 28}), else {cols}, a flat vector of features.
    std::vector<int64_t> sampleShape() const;
    int64_t testRows() const { return rows - trainRows; }
    // The rows to train on: the training part, or every row of a set without a split.
    int64_t trainingRows() const { return trainRows > 0 ? trainRows : rows; }
    float value(int64_t row, int64_t col) const {
        const int64_t k = row * cols + col;
        return isBytes() ? float(bytes[size_t(k)]) : values[size_t(k)];
    }
    // Copies of the training and test parts (labels and metadata kept).
    Dataset trainPart() const;
    Dataset testPart() const;
    // Rows [begin, end) as a new dataset; trainRows is clipped to the range.
    Dataset slice(int64_t begin, int64_t end) const;
    // The same data without the training samples of one class: what a model for anomaly
    // detection learns from ("normal" data), while the test part keeps every class. The
    // source says which class was left out. DataError when the labels are not classes or
    // no training sample has that class.
    Dataset withoutTrainingClass(int label) const;
    // At most maxTrain rows of the training part (of every row without a split) and maxTest
    // of the test part, evenly spaced over each part and in order: a smaller set with the
    // same mix of the data, for quick figures. DataError unless both are at least 1.
    Dataset evenlySpaced(int64_t maxTrain, int64_t maxTest) const;
    // Throws DataError if sizes disagree (values/bytes vs rows*cols, labels vs rows).
    void validate() const;
};

} // namespace latentlab::data
