// bench/libtorch/data.cpp: the Fashion-MNIST training images for libtorch_reference, read
// with zlib (which reads plain files as well) straight into one uint8 tensor.

#include "data.h"
#include "reference.h"

#include <ATen/ops/empty.h>

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace ref {
namespace {

bool isFile(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// zlib's description of the last error on f (which zlib prefixes with the path), or "".
std::string gzProblem(gzFile f, const std::string& path) {
    int code = Z_OK;
    const char* text = gzerror(f, &code);
    if (code == Z_ERRNO) return errnoText();
    if (code == Z_OK || text == nullptr) return {};
    std::string message = text;
    if (message.rfind(path + ": ", 0) == 0) message.erase(0, path.size() + 2);
    return message;
}

uint32_t bigEndian32(const unsigned char* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

} // namespace

// The training images, read straight into one tensor (zlib reads plain files as well).
Images readIdxImages(const std::string& folder) {
    std::string path;
    for (const auto& name : {kImages + ".gz", kImages}) {
        if (isFile(folder + "/" + name)) {
            path = folder + "/" + name;
            break;
        }
    }
    if (path.empty()) fail("no " + kImages + "(.gz) in " + folder + " (use --data DIR)");

    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) fail(path + ": cannot open (" + errnoText() + ")");
    struct Closer {
        gzFile f;
        ~Closer() { gzclose(f); }
    } closer{f};

    unsigned char header[16];
    const int got = gzread(f, header, sizeof header);
    if (got < 0) fail(path + ": cannot read (" + gzProblem(f, path) + ")");
    if (got < int(sizeof header)) fail(path + ": too short for an IDX header");
    const uint32_t magic = bigEndian32(header), count = bigEndian32(header + 4),
                   rows = bigEndian32(header + 8), cols = bigEndian32(header + 12);
    // IDX magic: two zero bytes, type 0x08 (unsigned byte), 3 dimensions.
    if (magic != 0x00000803) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "%#010x", magic);
        fail(path + ": not an IDX3 unsigned-byte image file (magic " + hex + ")");
    }
    const std::string shape =
        std::to_string(count) + " x " + std::to_string(rows) + " x " + std::to_string(cols);
    const uint64_t pixelsPerImage = uint64_t(rows) * cols;
    if (count == 0 || pixelsPerImage == 0) fail(path + ": empty (" + shape + ")");
    const uint64_t bytes = uint64_t(count) * pixelsPerImage;
    if (bytes > (uint64_t(1) << 36)) fail(path + ": implausibly large header (" + shape + ")");

    auto pixels = at::empty({int64_t(count), int64_t(pixelsPerImage)}, at::kByte);
    auto* out = pixels.data_ptr<uint8_t>();
    uint64_t done = 0;
    while (done < bytes) {
        const auto chunk = unsigned(std::min<uint64_t>(bytes - done, uint64_t(1) << 30));
        const int n = gzread(f, out + done, chunk);
        if (n < 0) fail(path + ": cannot read (" + gzProblem(f, path) + ")");
        if (n == 0) break;
        done += uint64_t(n);
    }
    unsigned char extra = 0;
    if (done != bytes || gzread(f, &extra, 1) > 0) {
        const auto problem = gzProblem(f, path);
        fail(path + ": the pixel data does not match the header's " + shape +
             (problem.empty() ? "" : " (" + problem + ")"));
    }
    return {pixels, path};
}

} // namespace ref
