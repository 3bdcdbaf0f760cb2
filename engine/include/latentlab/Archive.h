// A small self-describing binary container: named, typed records behind a checksummed
// header. The model file is built on it.
//
//   offset  size  field
//   0       8     magic "LLMODEL\n"
//   8       4     format version (little-endian u32)
//   12      4     flags (0)
//   16      8     payload size in bytes (u64)
//   24      4     CRC-32 of the payload
//   28      4     CRC-32 of bytes 0..27
//   32      ...   payload: records { u16 name length, name, u8 type, u64 byte length, bytes }
//
// Every length is checked against what is really there before it is used, so truncated
// or corrupted files give an error, never a crash or a huge allocation.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace latentlab {

uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

class ArchiveWriter {
public:
    void putString(const std::string& name, const std::string& value);
    void putInt(const std::string& name, int64_t value);
    void putDouble(const std::string& name, double value);
    void putFloats(const std::string& name, const std::vector<float>& values);
    void putInts(const std::string& name, const std::vector<int64_t>& values);
    void putDoubles(const std::string& name, const std::vector<double>& values);
    // The finished file contents.
    std::string bytes(uint32_t formatVersion) const;

private:
    void put(const std::string& name, uint8_t type, const void* data, uint64_t size);
    std::string m_payload;
};

class ArchiveReader {
public:
    // Throws FileError "<source>: <problem>" for anything that is not a valid archive of a
    // version <= maxVersion.
    ArchiveReader(const std::string& bytes, const std::string& source, uint32_t maxVersion);

    uint32_t version() const { return m_version; }
    bool has(const std::string& name) const { return m_records.count(name) > 0; }
    std::string getString(const std::string& name) const;
    int64_t getInt(const std::string& name) const;
    double getDouble(const std::string& name) const;
    std::vector<float> getFloats(const std::string& name) const;
    std::vector<int64_t> getInts(const std::string& name) const;
    std::vector<double> getDoubles(const std::string& name) const;
    std::vector<std::string> names(const std::string& prefix) const;

private:
    struct Record {
        uint8_t type;
        std::string data;
    };
    const Record& record(const std::string& name, uint8_t type) const;
    [[noreturn]] void fail(const std::string& problem) const;

    std::string m_source;
    uint32_t m_version = 0;
    std::map<std::string, Record> m_records;
};

} // namespace latentlab
