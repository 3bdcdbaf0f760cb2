// CSV import for a user's own data: one sample per row, every cell numeric and finite.
#pragma once

#include "latentlab/Dataset.h"

#include <string>

namespace latentlab::data {

struct CsvOptions {
    enum class Header { Auto, Yes, No };
    Header header = Header::Auto; // Auto: a first row with any non-numeric cell is a header
    int labelColumn = -1;         // 0-based column holding the label; -1 for none
    bool labelsAreClasses = true; // integer class labels, else continuous
    char delimiter = ',';
    double testFraction = 0.0;    // last part of the rows becomes the test part
};

// Throws DataError "<path>: row R, column C: <problem>" for ragged rows, text, NaN, inf.
// Row numbers are 1-based lines of the file as a person sees them in an editor.
Dataset readCsv(const std::string& path, const CsvOptions& options = {});

} // namespace latentlab::data
