// IDX layout (LeCun's MNIST page): a 4-byte magic 00 00 <type> <ndims>, then ndims
// big-endian uint32 sizes, then prod(sizes) elements of <type>, row-major. Files are often
// gzip-compressed; zlib's gzread reads both forms, so one code path serves raw and .gz.
#include "latentlab/IdxReader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

namespace fs = std::filesystem;

namespace latentlab::data {

namespace {

// No IDX file we know of is near this; a header above it is corrupt or hostile.
constexpr uint64_t kMaxDataBytes = uint64_t(4) << 30;
// gzread takes an unsigned length; moderate chunks keep the growing buffer close to the
// data that has really arrived.
constexpr uint64_t kChunk = 256 * 1024;

using GzHandle = std::unique_ptr<gzFile_s, int (*)(gzFile)>;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw DataError(path + ": " + problem);
}

std::string hex2(unsigned v) {
    char s[8];
    std::snprintf(s, sizeof s, "0x%02X", v & 0xFFu);
    return s;
}

const char* typeName(unsigned code) {
    switch (code) {
    case 0x09:
        return "signed byte";
    case 0x0B:
        return "16-bit integer";
    case 0x0C:
        return "32-bit integer";
    case 0x0D:
        return "32-bit float";
    case 0x0E:
        return "64-bit float";
    default:
        return nullptr;
    }
}

std::string dimsText(const std::vector<int64_t>& dims) {
    std::string s;
    for (size_t i = 0; i < dims.size(); ++i)
        s += (i ? " x " : "") + std::to_string(dims[i]);
    return s;
}

// Reads up to n bytes; fewer only at the end of the data. Corrupt compressed data throws.
// zlib reports a gzip stream that breaks off as Z_BUF_ERROR; that is returned through
// `cutShort` so the caller can call it truncation rather than corruption.
uint64_t readUpTo(gzFile f, const std::string& path, uint8_t* out, uint64_t n, bool* cutShort) {
    uint64_t got = 0;
    while (got < n) {
        const auto want = unsigned(std::min(n - got, kChunk));
        const int r = gzread(f, out + got, want);
        if (r < 0) {
            int err = Z_OK;
            const char* msg = gzerror(f, &err);
            fail(path, std::string("corrupt gzip data (") + (msg ? msg : "read error") + ")");
        }
        if (r == 0) {
            int err = Z_OK;
            gzerror(f, &err);
            if (err == Z_BUF_ERROR && cutShort) *cutShort = true;
            break;
        }
        got += uint64_t(r);
    }
    return got;
}

std::string truncatedText(uint64_t claimed, uint64_t have, bool cutShort) {
    if (cutShort)
        return "truncated: header says " + std::to_string(claimed) +
               " bytes of data, but the gzip stream breaks off after at least " +
               std::to_string(have);
    return "truncated: header says " + std::to_string(claimed) + " bytes of data, file has " +
           std::to_string(have);
}

std::string trailingText(uint64_t claimed, const std::string& have) {
    return "size in header (" + std::to_string(claimed) + " bytes) does not match data (" + have +
           " bytes): trailing data after the last item";
}

} // namespace

IdxArray readIdx(const std::string& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) fail(path, "file not found");
    if (!fs::is_regular_file(status)) fail(path, "not a regular file");

    errno = 0;
    GzHandle file(gzopen(path.c_str(), "rb"), &gzclose);
    if (!file) fail(path, std::string("cannot open (") + std::strerror(errno ? errno : EIO) + ")");
    gzbuffer(file.get(), 128 * 1024);

    uint8_t magic[4] = {};
    bool cut = false;
    const uint64_t gotMagic = readUpTo(file.get(), path, magic, 4, &cut);
    if (gotMagic == 0) fail(path, "file is empty");
    if (gotMagic < 4) fail(path, "truncated: file ends inside the 4-byte IDX magic");
    const uint32_t magicValue = uint32_t(magic[0]) << 24 | uint32_t(magic[1]) << 16 |
                                uint32_t(magic[2]) << 8 | uint32_t(magic[3]);
    char magicHex[16];
    std::snprintf(magicHex, sizeof magicHex, "0x%08X", unsigned(magicValue));
    if (magic[0] != 0 || magic[1] != 0)
        fail(path, std::string("bad magic ") + magicHex +
                       " (an IDX file starts with 00 00, then the element type and the "
                       "number of dimensions); not an IDX file");
    if (magic[2] != 0x08) {
        if (const char* name = typeName(magic[2]))
            fail(path, "unsupported element type " + hex2(magic[2]) + " (" + name +
                           "); only unsigned bytes (0x08) are supported");
        fail(path,
             std::string("bad magic ") + magicHex + ": unknown element type " + hex2(magic[2]));
    }
    const unsigned ndims = magic[3];
    if (ndims == 0) fail(path, std::string("bad magic ") + magicHex + ": zero dimensions");

    // The sizes, then their product checked for overflow and against the limit before the
    // product means anything.
    std::vector<uint8_t> sizeBytes(size_t(ndims) * 4);
    if (readUpTo(file.get(), path, sizeBytes.data(), sizeBytes.size(), &cut) < sizeBytes.size())
        fail(path, "truncated: file ends inside the header (" + std::to_string(ndims) +
                       " dimension sizes expected)");
    IdxArray out;
    out.dims.resize(ndims);
    uint64_t claimed = 1;
    bool tooBig = false;
    for (unsigned i = 0; i < ndims; ++i) {
        const uint8_t* b = &sizeBytes[size_t(i) * 4];
        const uint64_t d =
            uint64_t(b[0]) << 24 | uint64_t(b[1]) << 16 | uint64_t(b[2]) << 8 | uint64_t(b[3]);
        out.dims[i] = int64_t(d);
        if (d != 0 && claimed > kMaxDataBytes / d)
            tooBig = true; // keep reading the sizes for the message; the product is moot
        else
            claimed *= d;
    }
    if (tooBig || claimed > kMaxDataBytes)
        fail(path, "header claims " + dimsText(out.dims) +
                       " items, more than the 4 GiB limit; the header is corrupt");
    const uint64_t headerBytes = 4 + uint64_t(ndims) * 4;

    if (gzdirect(file.get())) {
        // Uncompressed: the file size tells exactly how much data there is, so the claim
        // is settled before a byte is allocated.
        const uint64_t fileSize = fs::file_size(path, ec);
        if (ec) fail(path, "cannot read the file size (" + ec.message() + ")");
        const uint64_t have = fileSize - headerBytes;
        if (have < claimed) fail(path, truncatedText(claimed, have, false));
        if (have > claimed) fail(path, trailingText(claimed, std::to_string(have)));
        out.data.resize(size_t(claimed));
        const uint64_t got = readUpTo(file.get(), path, out.data.data(), claimed, &cut);
        if (got != claimed) // the file shrank under us
            fail(path, truncatedText(claimed, got, false));
        return out;
    }

    // Compressed: the real size is only known by inflating. Grow the buffer with the data
    // that actually arrives, never beyond the claim, so a lying header costs nothing.
    while (out.data.size() < claimed) {
        const uint64_t size = out.data.size();
        const uint64_t want = std::min(kChunk, claimed - size);
        if (out.data.capacity() < size + want)
            out.data.reserve(size_t(std::min(claimed, std::max<uint64_t>(2 * size, size + want))));
        out.data.resize(size_t(size + want));
        const uint64_t got = readUpTo(file.get(), path, out.data.data() + size, want, &cut);
        out.data.resize(size_t(size + got));
        if (got < want) break;
    }
    if (out.data.size() < claimed) fail(path, truncatedText(claimed, out.data.size(), cut));

    // Anything left after the claimed data means the header and the data disagree.
    uint8_t scratch[4096];
    uint64_t extra = 0;
    constexpr uint64_t kCountLimit = uint64_t(64) << 20;
    while (extra < kCountLimit) {
        const uint64_t got = readUpTo(file.get(), path, scratch, sizeof scratch, &cut);
        if (got == 0) break;
        extra += got;
    }
    if (extra > 0)
        fail(path, trailingText(claimed, (extra >= kCountLimit ? "more than " : "") +
                                             std::to_string(claimed + extra)));
    // All data arrived but the stream stopped before its CRC-32 trailer: the file was cut
    // off, and the data cannot be trusted without the checksum.
    if (cut) fail(path, "truncated: the gzip stream ends before its checksum");
    return out;
}

Dataset readIdxImages(const std::string& imagesPath, const std::string& labelsPath) {
    IdxArray images = readIdx(imagesPath);
    if (images.dims.size() != 3)
        fail(imagesPath, "expected an images file with 3 dimensions (count x height x "
                         "width), found " +
                             std::to_string(images.dims.size()) + " (" + dimsText(images.dims) +
                             ")");
    const int64_t count = images.dims[0];
    const int64_t height = images.dims[1];
    const int64_t width = images.dims[2];
    if (count == 0 || height == 0 || width == 0)
        fail(imagesPath, "holds no images (" + dimsText(images.dims) + ")");
    if (height > 65535 || width > 65535)
        fail(imagesPath, "images of " + std::to_string(width) + " x " + std::to_string(height) +
                             " pixels are too large");

    Dataset d;
    d.name = fs::path(imagesPath).filename().string();
    d.source = imagesPath;
    d.rows = count;
    d.cols = height * width;
    d.imageWidth = int(width);
    d.imageHeight = int(height);
    d.trainRows = count;

    if (!labelsPath.empty()) {
        const IdxArray labels = readIdx(labelsPath);
        if (labels.dims.size() != 1)
            fail(labelsPath, "expected a labels file with 1 dimension, found " +
                                 std::to_string(labels.dims.size()) + " (" + dimsText(labels.dims) +
                                 ")");
        if (labels.dims[0] != count)
            fail(imagesPath, "images file has " + std::to_string(count) +
                                 " items but labels file has " + std::to_string(labels.dims[0]) +
                                 " (" + labelsPath + ")");
        d.labelKind = LabelKind::Class;
        d.labelName = "label";
        d.labels.assign(labels.data.begin(), labels.data.end());
    }
    d.bytes = std::move(images.data);
    return d;
}

void writeIdx(const std::string& path, const IdxArray& array) {
    if (array.dims.empty() || array.dims.size() > 255)
        fail(path, "cannot write an IDX array with " + std::to_string(array.dims.size()) +
                       " dimensions (1..255 allowed)");
    uint64_t count = 1;
    for (int64_t d : array.dims) {
        if (d < 0 || d > int64_t(0xFFFFFFFFu))
            fail(path,
                 "cannot write dimension size " + std::to_string(d) + " (0..4294967295 allowed)");
        count *= uint64_t(d);
    }
    if (count != array.data.size())
        fail(path, "cannot write: dimensions " + dimsText(array.dims) + " need " +
                       std::to_string(count) + " bytes but the array holds " +
                       std::to_string(array.data.size()));

    std::vector<uint8_t> header;
    header.reserve(4 + array.dims.size() * 4);
    header.insert(header.end(), {0, 0, 0x08, uint8_t(array.dims.size())});
    for (int64_t d : array.dims)
        for (int shift = 24; shift >= 0; shift -= 8)
            header.push_back(uint8_t(uint64_t(d) >> shift));

    // Everything goes to path.tmp first; only a complete file is renamed into place, so a
    // full disk or a crash never leaves a half-written IDX under the real name.
    const std::string tmp = path + ".tmp";
    const bool gz = path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    bool ok = true;
    if (gz) {
        gzFile f = gzopen(tmp.c_str(), "wb6");
        ok = f != nullptr;
        auto put = [&](const uint8_t* p, size_t n) {
            while (ok && n > 0) {
                const auto part = unsigned(std::min<size_t>(n, size_t(kChunk)));
                ok = gzwrite(f, p, part) == int(part);
                p += part;
                n -= part;
            }
        };
        put(header.data(), header.size());
        put(array.data.data(), array.data.size());
        if (f) ok = gzclose(f) == Z_OK && ok;
    } else {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(header.data()), std::streamsize(header.size()));
        out.write(reinterpret_cast<const char*>(array.data.data()),
                  std::streamsize(array.data.size()));
        out.close();
        ok = !out.fail();
    }
    std::error_code ec;
    if (!ok) {
        fs::remove(tmp, ec);
        fail(path, "cannot write " + tmp);
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        fail(path, "cannot rename " + tmp + " into place (" + ec.message() + ")");
    }
}

} // namespace latentlab::data
