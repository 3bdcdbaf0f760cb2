// Fuzz target for the model file (engine/src/ModelFile.cpp on top of Archive.cpp).
//
// Each input is parsed as it is, which tests the header and checksums. Checksums stop
// almost every mutation there, so the input is then "repaired" - payload size and both
// CRC-32s recomputed - and parsed again, which lets the mutations reach the records and
// the model they describe. A model that loads is run once on a sample, as `encode` would.
#include "FuzzSupport.h"

#include "latentlab/Archive.h"
#include "latentlab/ModelFile.h"

#include <cstring>

using latentlab::FileError;
using latentlab::fuzz::finding;

namespace {

const std::string kSource = "fuzz.llmodel";

void put32(std::string& s, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + size_t(i)] = char(uint8_t(v >> (8 * i)));
}

void parseOnce(const std::string& bytes) {
    try {
        latentlab::SavedModel saved = latentlab::deserializeModel(bytes, kSource);
        if (!saved.model) finding("deserializeModel returned no model");
        latentlab::Model& m = *saved.model;
        const auto& c = m.config();
        // A tiny forward pass: a loaded model must be usable at its declared sizes (the
        // parameter count was checked against the input, so the sizes are small).
        latentlab::Matrix x = latentlab::Matrix::Zero(c.inputDim, 2);
        latentlab::Matrix xhat;
        m.reconstruct(x, xhat);
        if (xhat.rows() != c.inputDim || xhat.cols() != 2)
            finding("a loaded model reconstructs to the wrong shape");
    } catch (const FileError& e) {
        latentlab::fuzz::refusedNaming(e, "FileError", kSource);
    } catch (const std::exception& e) {
        finding(std::string("deserializeModel threw something other than FileError: ") +
                e.what());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    parseOnce(bytes);

    // Header (Archive.h): magic[8] version[4] flags[4] payloadSize[8] payloadCrc[4] headerCrc[4].
    if (bytes.size() < 32 || std::memcmp(bytes.data(), "LLMODEL\n", 8) != 0) return 0;
    const uint64_t payload = bytes.size() - 32;
    for (int i = 0; i < 8; ++i) bytes[16 + size_t(i)] = char(uint8_t(payload >> (8 * i)));
    put32(bytes, 24, latentlab::crc32(bytes.data() + 32, size_t(payload)));
    put32(bytes, 28, latentlab::crc32(bytes.data(), 28));
    parseOnce(bytes);
    return 0;
}
