// CSV as people export it from spreadsheets and pandas: optional header row, optional
// quotes, \n or \r\n line ends, maybe a UTF-8 byte order mark and blank lines at the end.
// Numbers are parsed with std::from_chars, which ignores the C locale (strtod would read
// "1,5" as 1.5 under a German locale and "1.5" as 1).
#include "latentlab/CsvReader.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>

namespace fs = std::filesystem;

namespace latentlab::data {

namespace {

// Class labels beyond this are almost surely a wrong label column (a float feature).
constexpr double kMaxClassLabel = 1'000'000;
// The first row is looked for within this many bytes when only the columns are wanted.
constexpr size_t kFirstRowLimit = size_t(16) << 20;

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

struct Split {
    enum Problem { None, OpenQuote, TextAfterQuote } problem = None;
    size_t cell = 0;           // the cell with the problem
    std::string_view text;     // for TextAfterQuote: the cell from its opening quote on
};

// Splits one line into cells. A quoted cell may hold the delimiter and "" for a quote;
// quoted cells spanning lines are not supported (they make an "unterminated quote" error).
// After a closing quote only blanks may come before the delimiter: "1"abc is a typo, and
// reading it as 1 would hide it.
Split splitLine(std::string_view line, char delimiter, std::vector<Cell>& cells) {
    cells.clear();
    size_t i = 0;
    while (true) {
        // Skip blanks before the cell, but never a blank that is itself the delimiter.
        while (i < line.size() && line[i] != delimiter && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        Cell cell;
        if (i < line.size() && line[i] == '"') {
            const size_t open = i;
            const size_t begin = ++i;
            while (true) {
                if (i >= line.size()) return {Split::OpenQuote, cells.size(), {}};
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
            ++i; // closing quote
            while (i < line.size() && line[i] != delimiter) {
                if (line[i] != ' ' && line[i] != '\t') {
                    size_t end = line.find(delimiter, i);
                    if (end == std::string_view::npos) end = line.size();
                    return {Split::TextAfterQuote, cells.size(), trim(line.substr(open, end - open))};
                }
                ++i;
            }
        } else {
            const size_t begin = i;
            while (i < line.size() && line[i] != delimiter)
                ++i;
            cell.text = trim(line.substr(begin, i - begin));
        }
        cells.push_back(cell);
        if (i >= line.size()) return {};
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

// A header only when no cell is a number: one number makes the row data, so "1,x2" is
// reported as the typo it is instead of being dropped as column names. "nan" and "inf"
// count as words here, as a column may well be called "inf".
bool looksLikeHeader(const std::vector<Cell>& cells) {
    for (const Cell& c : cells) {
        double v = 0;
        const Parsed p = parseNumber(c.text, v);
        if (p == Parsed::Ok || p == Parsed::OutOfRange) return false;
    }
    return true;
}

bool isHeader(const std::vector<Cell>& cells, CsvOptions::Header mode) {
    switch (mode) {
    case CsvOptions::Header::Yes:
        return true;
    case CsvOptions::Header::No:
        return false;
    case CsvOptions::Header::Auto:
        break;
    }
    return looksLikeHeader(cells);
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

std::string systemReason(int error) { return std::error_code(error, std::generic_category()).message(); }

// What stands at path, checked before opening it: opening a FIFO for reading blocks until
// some writer comes, and a directory cannot be read as text.
void requireRegularFile(const std::string& path, const Failer& fail) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec) fail("cannot open (" + ec.message() + ")"); // "No such file or directory", ...
    switch (st.type()) {
    case fs::file_type::regular:
        return;
    case fs::file_type::directory:
        fail("is a directory, not a CSV file");
    case fs::file_type::fifo:
        fail("is a named pipe (FIFO), not a regular file; save the data to a file first");
    case fs::file_type::socket:
        fail("is a socket, not a regular file");
    case fs::file_type::block:
    case fs::file_type::character:
        fail("is a device, not a regular file");
    default:
        fail("not a regular file");
    }
}

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// The file's bytes; with a limit, stops after the first complete non-blank line past which
// nothing more is needed, or at the limit.
std::string readText(const std::string& path, const Failer& fail, size_t limit = 0) {
    requireRegularFile(path, fail);
    errno = 0;
    const std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) fail("cannot open (" + systemReason(errno ? errno : EIO) + ")");
    std::string text;
    char chunk[1 << 16];
    while (true) {
        const size_t n = std::fread(chunk, 1, sizeof chunk, f.get());
        text.append(chunk, n);
        if (n < sizeof chunk) break;
        if (limit > 0) {
            if (text.size() >= limit) break;
            const size_t nl = text.find('\n', text.find_first_not_of(" \t\r\n\xEF\xBB\xBF"));
            if (nl != std::string::npos) break;
        }
    }
    if (std::ferror(f.get())) fail("read error (" + systemReason(errno ? errno : EIO) + ")");
    return text;
}

// Hands out the non-blank lines of text with their 1-based line numbers.
class Lines {
public:
    explicit Lines(std::string_view text) : m_rest(text) {
        if (m_rest.substr(0, 3) == "\xEF\xBB\xBF") // UTF-8 byte order mark from Excel
            m_rest.remove_prefix(3);
    }
    bool next(std::string_view& line) {
        while (!m_rest.empty()) {
            const size_t nl = m_rest.find('\n');
            line = m_rest.substr(0, nl);
            m_rest.remove_prefix(nl == std::string_view::npos ? m_rest.size() : nl + 1);
            ++m_lineNo;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (!trim(line).empty()) return true; // blank lines (typically at the end) carry nothing
        }
        return false;
    }
    int64_t lineNo() const { return m_lineNo; }

private:
    std::string_view m_rest;
    int64_t m_lineNo = 0;
};

void split(std::string_view line, int64_t lineNo, char delimiter, std::vector<Cell>& cells,
           const Failer& fail) {
    const Split s = splitLine(line, delimiter, cells);
    if (s.problem == Split::OpenQuote)
        fail("row " + std::to_string(lineNo) + " has an unterminated quote");
    if (s.problem == Split::TextAfterQuote)
        fail.at(lineNo, s.cell, quoteCell(s.text) + " has text after its closing quote");
}

void checkOptions(const CsvOptions& options, const Failer& fail) {
    if (!(options.testFraction >= 0.0 && options.testFraction <= 1.0))
        fail("testFraction must be in [0, 1], got " + std::to_string(options.testFraction));
    if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r')
        fail(std::string("the delimiter cannot be ") +
             (options.delimiter == '"' ? "a quote" : "a line end"));
}

} // namespace

std::string csvHeaderName(CsvOptions::Header header) {
    switch (header) {
    case CsvOptions::Header::Yes:
        return "yes";
    case CsvOptions::Header::No:
        return "no";
    case CsvOptions::Header::Auto:
        break;
    }
    return "auto";
}

CsvOptions::Header parseCsvHeader(const std::string& name) {
    for (auto h : {CsvOptions::Header::Auto, CsvOptions::Header::Yes, CsvOptions::Header::No})
        if (csvHeaderName(h) == name) return h;
    throw DataError("header: unknown " + quoteCell(name) + " (choose auto, yes or no)");
}

CsvFirstRow readCsvFirstRow(const std::string& path, const CsvOptions& options) {
    const Failer fail(path);
    checkOptions(options, fail);
    const std::string text = readText(path, fail, kFirstRowLimit);
    Lines lines(text);
    std::string_view line;
    if (!lines.next(line)) fail("file is empty");
    std::vector<Cell> cells;
    split(line, lines.lineNo(), options.delimiter, cells, fail);
    CsvFirstRow row;
    row.isHeader = isHeader(cells, options.header);
    for (const Cell& c : cells)
        row.cells.push_back(unquote(c));
    return row;
}

Dataset readCsv(const std::string& path, const CsvOptions& options) {
    const Failer fail(path);
    checkOptions(options, fail);
    const std::string text = readText(path, fail);

    Dataset d;
    d.name = fs::path(path).stem().string();
    d.source = path;
    const bool withLabel = options.labelColumn >= 0;
    std::vector<Cell> cells;
    size_t expected = 0;  // cells per row, fixed by the first row
    int64_t firstRow = 0; // line number of the first row, for the ragged-row message
    bool sawHeader = false;
    std::string headerLabel;
    Lines lines(text);
    std::string_view line;

    while (lines.next(line)) {
        const int64_t lineNo = lines.lineNo();
        split(line, lineNo, options.delimiter, cells, fail);

        if (firstRow == 0) {
            firstRow = lineNo;
            expected = cells.size();
            if (withLabel && size_t(options.labelColumn) >= expected)
                fail("label column index " + std::to_string(options.labelColumn) + " (column " +
                     std::to_string(options.labelColumn + 1) + ") does not exist; rows have " +
                     std::to_string(expected) + " cells");
            if (withLabel && expected == 1)
                fail("the only column is the label column; there are no features");
            if (isHeader(cells, options.header)) {
                sawHeader = true;
                if (withLabel) headerLabel = unquote(cells[size_t(options.labelColumn)]);
                continue;
            }
        }

        if (cells.size() != expected)
            fail("row " + std::to_string(lineNo) + " has " + std::to_string(cells.size()) +
                 " cells, expected " + std::to_string(expected) + " like row " +
                 std::to_string(firstRow));
        // A guessed header that was not one: say why the row counts as data.
        const std::string why = lineNo == firstRow && options.header == CsvOptions::Header::Auto
                                    ? " (read as data because row " + std::to_string(lineNo) +
                                          " holds numbers; if it is a header, set header to yes)"
                                    : std::string();
        for (size_t c = 0; c < cells.size(); ++c) {
            double v = 0;
            // Built only on the error paths: this loop runs once per cell of the file.
            const auto shown = [&] { return quoteCell(cells[c].text); };
            switch (parseNumber(cells[c].text, v)) {
            case Parsed::Ok:
                break;
            case Parsed::Empty:
                fail.at(lineNo, c, "empty cell" + why);
            case Parsed::NotANumber:
                fail.at(lineNo, c, shown() + " is not a number" + why);
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
