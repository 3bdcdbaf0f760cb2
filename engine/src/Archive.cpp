#include "latentlab/Archive.h"

#include "latentlab/Types.h"

#include <array>
#include <cstdio>
#include <cstring>

namespace latentlab {

namespace {
constexpr char kMagic[8] = {'L', 'L', 'M', 'O', 'D', 'E', 'L', '\n'};
constexpr size_t kHeaderSize = 32;
enum : uint8_t { kString = 1, kInt = 2, kDouble = 3, kFloats = 4, kInts = 5, kDoubles = 6 };

std::array<uint32_t, 256> makeCrcTable() {
    // Reflected CRC-32 (polynomial 0xEDB88320), the one zlib and PNG use.
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}

template <typename T> void appendLe(std::string& out, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) out += char(uint8_t(uint64_t(v) >> (8 * i)));
}

template <typename T> T readLe(const char* p) {
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= uint64_t(uint8_t(p[i])) << (8 * i);
    return T(v);
}

// Numbers of type T as the little-endian bytes of their representation (Bits of its size).
template <typename Bits, typename T> std::string packLe(const std::vector<T>& values) {
    static_assert(sizeof(Bits) == sizeof(T));
    std::string b;
    b.reserve(values.size() * sizeof(T));
    for (T v : values) {
        Bits bits;
        std::memcpy(&bits, &v, sizeof bits);
        appendLe<Bits>(b, bits);
    }
    return b;
}

template <typename Bits, typename T> std::vector<T> unpackLe(const std::string& d) {
    std::vector<T> out(d.size() / sizeof(T));
    for (size_t i = 0; i < out.size(); ++i) {
        const Bits bits = readLe<Bits>(d.data() + sizeof(T) * i);
        std::memcpy(&out[i], &bits, sizeof bits);
    }
    return out;
}
} // namespace

uint32_t crc32(const void* data, size_t size, uint32_t crc) {
    static const std::array<uint32_t, 256> table = makeCrcTable();
    const auto* p = static_cast<const uint8_t*>(data);
    crc = ~crc;
    for (size_t i = 0; i < size; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

void ArchiveWriter::put(const std::string& name, uint8_t type, const void* data, uint64_t size) {
    appendLe<uint16_t>(m_payload, uint16_t(name.size()));
    m_payload += name;
    appendLe<uint8_t>(m_payload, type);
    appendLe<uint64_t>(m_payload, size);
    m_payload.append(static_cast<const char*>(data), size_t(size));
}

void ArchiveWriter::putString(const std::string& name, const std::string& value) {
    put(name, kString, value.data(), value.size());
}

void ArchiveWriter::putInt(const std::string& name, int64_t value) {
    std::string b;
    appendLe<uint64_t>(b, uint64_t(value));
    put(name, kInt, b.data(), b.size());
}

void ArchiveWriter::putDouble(const std::string& name, double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    std::string b;
    appendLe<uint64_t>(b, bits);
    put(name, kDouble, b.data(), b.size());
}

void ArchiveWriter::putFloats(const std::string& name, const std::vector<float>& values) {
    const std::string b = packLe<uint32_t>(values);
    put(name, kFloats, b.data(), b.size());
}

void ArchiveWriter::putInts(const std::string& name, const std::vector<int64_t>& values) {
    const std::string b = packLe<uint64_t>(values);
    put(name, kInts, b.data(), b.size());
}

void ArchiveWriter::putDoubles(const std::string& name, const std::vector<double>& values) {
    const std::string b = packLe<uint64_t>(values);
    put(name, kDoubles, b.data(), b.size());
}

std::string ArchiveWriter::bytes(uint32_t formatVersion) const {
    std::string out(kMagic, 8);
    appendLe<uint32_t>(out, formatVersion);
    appendLe<uint32_t>(out, 0);
    appendLe<uint64_t>(out, m_payload.size());
    appendLe<uint32_t>(out, crc32(m_payload.data(), m_payload.size()));
    appendLe<uint32_t>(out, crc32(out.data(), out.size()));
    return out + m_payload;
}

void ArchiveReader::fail(const std::string& problem) const {
    throw FileError(m_source + ": " + problem);
}

ArchiveReader::ArchiveReader(const std::string& bytes, const std::string& source,
                             uint32_t maxVersion)
    : m_source(source) {
    if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kMagic, 8) != 0) {
        if (bytes.size() >= 4 && std::memcmp(bytes.data(), kMagic, 4) == 0)
            fail("truncated model file (" + std::to_string(bytes.size()) + " bytes, shorter than its header)");
        fail("not a Latent Lab model file (wrong magic bytes)");
    }
    const char* h = bytes.data();
    if (readLe<uint32_t>(h + 28) != crc32(h, 28)) fail("the model file's header is corrupted (checksum mismatch)");
    m_version = readLe<uint32_t>(h + 8);
    if (m_version == 0) fail("model file format version 0 does not exist (versions start at 1); the header is damaged");
    if (m_version > maxVersion)
        fail("model file format version " + std::to_string(m_version) +
             " is newer than this program reads (up to " + std::to_string(maxVersion) +
             "); update Latent Lab to open it");
    const uint64_t payload = readLe<uint64_t>(h + 16);
    const uint64_t have = bytes.size() - kHeaderSize;
    if (payload > have)
        fail("truncated model file: expected " + std::to_string(payload + kHeaderSize) +
             " bytes, found " + std::to_string(bytes.size()));
    if (payload < have)
        fail("model file has " + std::to_string(have - payload) + " unexpected bytes after its end");
    const char* p = h + kHeaderSize;
    if (readLe<uint32_t>(h + 24) != crc32(p, size_t(payload)))
        fail("the model file is corrupted (payload checksum mismatch)");

    uint64_t at = 0;
    while (at < payload) {
        if (payload - at < 2) fail("malformed record at byte " + std::to_string(at));
        const uint16_t nameLen = readLe<uint16_t>(p + at);
        if (payload - at - 2 < uint64_t(nameLen) + 9) fail("malformed record at byte " + std::to_string(at));
        std::string name(p + at + 2, nameLen);
        const uint8_t type = uint8_t(p[at + 2 + nameLen]);
        const uint64_t len = readLe<uint64_t>(p + at + 3 + nameLen);
        const uint64_t start = at + 11 + nameLen;
        if (len > payload - start) fail("record '" + name + "' runs past the end of the file");
        m_records[name] = Record{type, std::string(p + start, size_t(len))};
        at = start + len;
    }
}

const ArchiveReader::Record& ArchiveReader::record(const std::string& name, uint8_t type) const {
    auto it = m_records.find(name);
    if (it == m_records.end()) fail("field '" + name + "' is missing");
    if (it->second.type != type) fail("field '" + name + "' has the wrong type");
    if ((type == kInt || type == kDouble) && it->second.data.size() != 8)
        fail("field '" + name + "' has the wrong size");
    if (type == kFloats && it->second.data.size() % 4 != 0) fail("field '" + name + "' has the wrong size");
    if ((type == kInts || type == kDoubles) && it->second.data.size() % 8 != 0)
        fail("field '" + name + "' has the wrong size");
    return it->second;
}

std::string ArchiveReader::getString(const std::string& name) const { return record(name, kString).data; }

int64_t ArchiveReader::getInt(const std::string& name) const {
    return int64_t(readLe<uint64_t>(record(name, kInt).data.data()));
}

double ArchiveReader::getDouble(const std::string& name) const {
    const uint64_t bits = readLe<uint64_t>(record(name, kDouble).data.data());
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
}

std::vector<float> ArchiveReader::getFloats(const std::string& name) const {
    return unpackLe<uint32_t, float>(record(name, kFloats).data);
}

std::vector<int64_t> ArchiveReader::getInts(const std::string& name) const {
    return unpackLe<uint64_t, int64_t>(record(name, kInts).data);
}

std::vector<double> ArchiveReader::getDoubles(const std::string& name) const {
    return unpackLe<uint64_t, double>(record(name, kDoubles).data);
}

std::vector<std::string> ArchiveReader::names(const std::string& prefix) const {
    std::vector<std::string> out;
    for (const auto& [name, rec] : m_records)
        if (name.compare(0, prefix.size(), prefix) == 0) out.push_back(name);
    return out;
}

} // namespace latentlab
