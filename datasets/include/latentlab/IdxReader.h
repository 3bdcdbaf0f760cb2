// Reader for the IDX format used by MNIST and Fashion-MNIST (raw or gzip-compressed).
// The header is checked against the real size of the data before anything is allocated,
// so a corrupt header can never make us allocate gigabytes.
#pragma once

#include "latentlab/Dataset.h"

#include <string>

namespace latentlab::data {

struct IdxArray {
    std::vector<int64_t> dims; // e.g. {60000, 28, 28} for idx3, {60000} for idx1
    std::vector<uint8_t> data; // only unsigned byte (type 0x08) is supported
};

// Throws DataError naming the path and the problem: "bad magic", "truncated", "size in
// header (N) does not match data (M bytes)", "unsupported element type", ...
IdxArray readIdx(const std::string& path);

// Images (idx3) and labels (idx1); counts must agree. Returns a byte dataset with
// LabelKind::Class; trainRows = rows.
// An empty labelsPath reads the images alone (LabelKind::None).
Dataset readIdxImages(const std::string& imagesPath, const std::string& labelsPath);

// Writes an IDX file (gzip-compressed if the path ends in .gz). Used by tests and by the
// MNIST conversion. Writes to path + ".tmp" then renames, so a failure leaves no file.
void writeIdx(const std::string& path, const IdxArray& array);

} // namespace latentlab::data
