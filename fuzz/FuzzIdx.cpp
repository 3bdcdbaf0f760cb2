// Fuzz target for the IDX reader (datasets/src/IdxReader.cpp), raw and gzip.
//
// Every input is read as a file as it is. An input that is not itself gzip is also
// compressed here and read again: the reader promises one behaviour for both forms, so the
// two results must agree (both fail, or both give the same dims and bytes); the mutations
// then reach the gzip path with streams that inflate, which random bytes rarely do. The
// same stream cut short before its CRC-32 trailer must always be refused.
#include "FuzzSupport.h"

#include "latentlab/IdxReader.h"

#include <zlib.h>

#include <optional>

using latentlab::data::DataError;
using latentlab::data::IdxArray;
using latentlab::fuzz::finding;
using latentlab::fuzz::ScratchFile;

namespace {

std::string gzipBytes(const uint8_t* data, size_t size) {
    z_stream z{};
    // windowBits 15 + 16: a gzip wrapper, as gzopen(..., "wb") writes.
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        finding("deflateInit2 failed");
    std::string out(deflateBound(&z, uLong(size)) + 32, '\0');
    z.next_in = const_cast<Bytef*>(data);
    z.avail_in = uInt(size);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) finding("deflate did not finish");
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// nullopt when the reader refused the file (with a DataError naming it, else a finding).
std::optional<IdxArray> readOnce(const std::string& path) {
    try {
        IdxArray a = latentlab::data::readIdx(path);
        uint64_t count = 1;
        for (int64_t d : a.dims) count *= uint64_t(d);
        if (a.dims.empty() || count != a.data.size())
            finding("readIdx returned dims that do not match its data");
        if (a.dims.size() == 3) {
            // The images view adds its own checks on top; it must agree with the array.
            try {
                const auto d = latentlab::data::readIdxImages(path, "");
                d.validate();
                if (uint64_t(d.rows) * uint64_t(d.cols) != a.data.size())
                    finding("readIdxImages disagrees with readIdx on the size");
            } catch (const DataError& e) {
                latentlab::fuzz::refusedNaming(e, "DataError", path);
            }
        }
        return a;
    } catch (const DataError& e) {
        latentlab::fuzz::refusedNaming(e, "DataError", path);
        return std::nullopt;
    } catch (const std::exception& e) {
        finding(std::string("readIdx threw something other than DataError: ") + e.what());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const ScratchFile plain(".idx");
    static const ScratchFile packed(".idx.gz");

    const auto asIs = readOnce(plain.write(data, size));
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) return 0; // already gzip

    const std::string z = gzipBytes(data, size);
    const auto viaGzip =
        readOnce(packed.write(reinterpret_cast<const uint8_t*>(z.data()), z.size()));
    if (asIs.has_value() != viaGzip.has_value())
        finding(std::string("raw and gzip forms disagree: raw ") +
                (asIs ? "accepted" : "refused") + ", gzip " + (viaGzip ? "accepted" : "refused"));
    if (asIs && (asIs->dims != viaGzip->dims || asIs->data != viaGzip->data))
        finding("raw and gzip forms give different contents");

    // The trailer is CRC-32 + length (8 bytes); without its last 4 the data cannot be
    // trusted.
    if (z.size() > 4 && readOnce(packed.write(reinterpret_cast<const uint8_t*>(z.data()),
                                              z.size() - 4)))
        finding("a gzip stream cut inside its trailer was accepted");
    return 0;
}
