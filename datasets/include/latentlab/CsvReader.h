// CSV import for a user's own data: one sample per row, every cell numeric and finite.
#pragma once

#include "latentlab/Dataset.h"
#include "latentlab/PrintableText.h" // quoteCell, used in its messages

#include <string>
#include <string_view>
#include <vector>

namespace latentlab::data {

struct CsvOptions {
    enum class Header { Auto, Yes, No };
    // Auto: the first row is a header only when none of its cells is a number, so a typo
    // in a first row of data ("1,x2") is an error naming it, not a header silently dropped.
    Header header = Header::Auto;
    int labelColumn = -1;         // 0-based column holding the label; -1 for none
    bool labelsAreClasses = true; // integer class labels, else continuous
    char delimiter = ',';
    double testFraction = 0.0;    // last part of the rows becomes the test part
};

// "auto", "yes", "no": the spelling of configs and the --header option.
std::string csvHeaderName(CsvOptions::Header header);
// Throws DataError "header: unknown 'x' (choose auto, yes or no)".
CsvOptions::Header parseCsvHeader(const std::string& name);

// Throws DataError "<path>: row R, column C: <problem>" for ragged rows, text, NaN, inf,
// and "<path>: <reason>" for a file that cannot be read (the system's reason, or what it is
// instead of a regular file). Row numbers are 1-based lines of the file as a person sees
// them in an editor. Cell text quoted in messages is made printable and cut short.
Dataset readCsv(const std::string& path, const CsvOptions& options = {});

// The first row of a CSV file, for offering its columns before loading it: the cells
// (unquoted) and whether options.header makes that row a header. Reads only the first
// lines; throws DataError like readCsv for a file it cannot read or an empty file.
struct CsvFirstRow {
    std::vector<std::string> cells;
    bool isHeader = false;
};
CsvFirstRow readCsvFirstRow(const std::string& path, const CsvOptions& options = {});

} // namespace latentlab::data
