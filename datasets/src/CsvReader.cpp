// CSV as people export it from spreadsheets and pandas: optional header row, optional
// quotes, \n or \r\n line ends, maybe a UTF-8 byte order mark and blank lines at the end.
// Numbers are parsed with std::from_chars, which ignores the C locale (strtod would read
// "1,5" as 1.5 under a German locale and "1.5" as 1).
#include "latentlab/CsvReader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace latentlab::data {

namespace {

// Class labels beyond this are almost surely a wrong label column (a float feature).
constexpr double kMaxClassLabel = 1'000'000;

struct Cell {
    std::string_view text; // trimmed, quotes removed (doubled quotes still doubled)
    bool quoted = false;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// Splits one line into cells. A quoted cell may hold the delimiter and "" for a quote;
// quoted cells spanning lines are not supported (they make an "unterminated quote" error).
// Returns false if a quote is left open.
bool splitLine(std::string_view line, char delimiter, std::vector<Cell>& cells) {
    cells.clear();
    size_t i = 0;
    while (true) {
        // Skip blanks before the cell, but never a blank that is itself the delimiter.
        while (i < line.size() && line[i] != delimiter && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        Cell cell;
        if (i < line.size() && line[i] == '"') {
            const size_t begin = ++i;
            while (true) {
                if (i >= line.size()) return false;
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                ++i;
            }
            cell.text = line.substr(begin, i - begin);
            cell.quoted = true;
            ++i; // closing quote; anything up to the delimiter is ignored like spaces
            while (i < line.size() && line[i] != delimiter)
                ++i;
        } else {
            const size_t begin = i;
            while (i < line.size() && line[i] != delimiter)
                ++i;
            cell.text = trim(line.substr(begin, i - begin));
        }
        cells.push_back(cell);
        if (i >= line.size()) return true;
        ++i; // the delimiter
    }
}

std::string unquote(const Cell& c) {
    std::string s(c.text);
    if (!c.quoted) return s;
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        out += s[i];
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') ++i;
    }
    return out;
}

enum class Parsed { Ok, Empty, NotANumber, NotFinite, OutOfRange };

// The whole cell must be a number. from_chars accepts "nan" and "inf"; they come back as
// NotFinite. A leading '+' (which from_chars rejects) is allowed, as spreadsheets write it.
Parsed parseNumber(std::string_view s, double& out) {
    s = trim(s);
    if (s.empty()) return Parsed::Empty;
    std::string_view body = s;
    if (body.front() == '+') {
        body.remove_prefix(1);
        if (body.empty() || body.front() == '+' || body.front() == '-') return Parsed::NotANumber;
    }
    const char* end = body.data() + body.size();
    const auto [ptr, ec] = std::from_chars(body.data(), end, out);
    if (ptr != end) return Parsed::NotANumber;
    if (ec == std::errc::result_out_of_range) return Parsed::OutOfRange;
    if (ec != std::errc()) return Parsed::NotANumber;
    if (!std::isfinite(out)) return Parsed::NotFinite;
    // Stored as float: a double beyond float's range would silently become inf.
    if (!std::isfinite(float(out))) return Parsed::OutOfRange;
    return Parsed::Ok;
}

class Failer {
public:
    explicit Failer(const std::string& path) : m_path(path) {}
    [[noreturn]] void operator()(const std::string& problem) const {
        throw DataError(m_path + ": " + problem);
    }
    [[noreturn]] void at(int64_t row, size_t col, const std::string& problem) const {
        (*this)("row " + std::to_string(row) + ", column " + std::to_string(col + 1) + ": " +
                problem);
    }

private:
    const std::string& m_path;
};

} // namespace

Dataset readCsv(const std::string& path, const CsvOptions& options) {
    const Failer fail(path);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail("file not found");
    if (!std::filesystem::is_regular_file(path, ec)) fail("not a regular file");
    if (!(options.testFraction >= 0.0 && options.testFraction <= 1.0))
        fail("testFraction must be in [0, 1], got " + std::to_string(options.testFraction));
    if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r')
        fail(std::string("the delimiter cannot be ") +
             (options.delimiter == '"' ? "a quote" : "a line end"));

    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot open");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) fail("read error");
    const std::string text = buffer.str();
    std::string_view rest(text);
    if (rest.substr(0, 3) == "\xEF\xBB\xBF") // UTF-8 byte order mark from Excel
        rest.remove_prefix(3);

    Dataset d;
    d.name = std::filesystem::path(path).stem().string();
    d.source = path;
    const bool withLabel = options.labelColumn >= 0;
    std::vector<Cell> cells;
    size_t expected = 0;  // cells per row, fixed by the first row
    int64_t firstRow = 0; // line number of the first row, for the ragged-row message
    bool sawHeader = false;
    std::string headerLabel;
    int64_t lineNo = 0;

    while (!rest.empty()) {
        const size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim(line).empty()) continue; // blank lines (typically at the end) carry nothing

        if (!splitLine(line, options.delimiter, cells))
            fail("row " + std::to_string(lineNo) + " has an unterminated quote");

        if (firstRow == 0) {
            firstRow = lineNo;
            expected = cells.size();
            if (withLabel && size_t(options.labelColumn) >= expected)
                fail("label column index " + std::to_string(options.labelColumn) + " (column " +
                     std::to_string(options.labelColumn + 1) + ") does not exist; rows have " +
                     std::to_string(expected) + " cells");
            if (withLabel && expected == 1)
                fail("the only column is the label column; there are no features");
            bool header = options.header == CsvOptions::Header::Yes;
            if (options.header == CsvOptions::Header::Auto) {
                double dummy = 0;
                for (const Cell& c : cells) {
                    const Parsed p = parseNumber(c.text, dummy);
                    if (p == Parsed::NotANumber || p == Parsed::Empty) header = true;
                }
            }
            if (header) {
                sawHeader = true;
                if (withLabel) headerLabel = unquote(cells[size_t(options.labelColumn)]);
                continue;
            }
        }

        if (cells.size() != expected)
            fail("row " + std::to_string(lineNo) + " has " + std::to_string(cells.size()) +
                 " cells, expected " + std::to_string(expected) + " like row " +
                 std::to_string(firstRow));
        for (size_t c = 0; c < cells.size(); ++c) {
            double v = 0;
            // Built only on the error paths: this loop runs once per cell of the file.
            const auto shown = [&] { return "'" + std::string(cells[c].text) + "'"; };
            switch (parseNumber(cells[c].text, v)) {
            case Parsed::Ok:
                break;
            case Parsed::Empty:
                fail.at(lineNo, c, "empty cell");
            case Parsed::NotANumber:
                fail.at(lineNo, c, shown() + " is not a number");
            case Parsed::NotFinite:
                fail.at(lineNo, c, shown() + " is not finite");
            case Parsed::OutOfRange:
                fail.at(lineNo, c, shown() + " is out of range for a 32-bit float");
            }
            if (withLabel && c == size_t(options.labelColumn)) {
                if (options.labelsAreClasses && (v < 0 || std::floor(v) != v || v > kMaxClassLabel))
                    fail.at(lineNo, c,
                            "class label " + shown() + " is not a whole number in 0..1000000");
                d.labels.push_back(float(v));
            } else {
                d.values.push_back(float(v));
            }
        }
        ++d.rows;
    }

    if (firstRow == 0) fail("file is empty");
    if (d.rows == 0) fail("no data rows" + std::string(sawHeader ? " after the header" : ""));
    d.cols = int64_t(expected) - (withLabel ? 1 : 0);
    d.trainRows = std::llround(double(d.rows) * (1.0 - options.testFraction));
    if (withLabel) {
        d.labelName = headerLabel.empty() ? "label" : headerLabel;
        if (options.labelsAreClasses) {
            d.labelKind = LabelKind::Class;
            float top = 0;
            for (float l : d.labels)
                top = std::max(top, l);
            // Names only for a compact range; sparse large ids would make a huge list.
            if (top < 1000)
                for (int k = 0; k <= int(top); ++k)
                    d.classNames.push_back(std::to_string(k));
        } else {
            d.labelKind = LabelKind::Continuous;
        }
    }
    return d;
}

} // namespace latentlab::data
