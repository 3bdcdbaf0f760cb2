// Fuzz target for the CSV reader (datasets/src/CsvReader.cpp). The loader takes a path, so
// each input goes through a scratch file, read with a few option sets so that header
// detection, label columns, the test split and another delimiter are all reached.
#include "FuzzSupport.h"

#include "latentlab/CsvReader.h"

#include <cmath>

using latentlab::data::CsvOptions;
using latentlab::data::DataError;
using latentlab::fuzz::finding;
using latentlab::fuzz::ScratchFile;

namespace {

void readOnce(const std::string& path, const CsvOptions& options) {
    try {
        const auto d = latentlab::data::readCsv(path, options);
        d.validate(); // sizes of values and labels agree with rows x cols
        if (d.rows <= 0 || d.cols <= 0) finding("readCsv returned an empty table");
        if (d.trainRows < 0 || d.trainRows > d.rows) finding("trainRows outside [0, rows]");
        for (float v : d.values)
            if (!std::isfinite(v)) finding("readCsv returned a value that is not finite");
        for (float v : d.labels)
            if (!std::isfinite(v)) finding("readCsv returned a label that is not finite");
    } catch (const DataError& e) {
        latentlab::fuzz::refusedNaming(e, "DataError", path);
    } catch (const std::exception& e) {
        finding(std::string("readCsv threw something other than DataError: ") + e.what());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const ScratchFile file(".csv");
    const std::string& path = file.write(data, size);

    readOnce(path, CsvOptions{});

    CsvOptions labelled;
    labelled.labelColumn = 0;
    labelled.testFraction = 0.25;
    readOnce(path, labelled);

    CsvOptions other;
    other.header = CsvOptions::Header::No;
    other.delimiter = ';';
    other.labelColumn = 1;
    other.labelsAreClasses = false;
    readOnce(path, other);

    CsvOptions header;
    header.header = CsvOptions::Header::Yes;
    header.labelColumn = 2;
    header.testFraction = 1.0;
    readOnce(path, header);
    return 0;
}
