// Shared by the fuzz targets: a scratch file for loaders that only take a path, and the
// one way a target reports a finding.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <unistd.h>

namespace latentlab::fuzz {

// One scratch directory per process (several fuzzers may run at once), removed at exit.
// Each input is written to a file in it, whose name ends in the given suffix.
class ScratchFile {
public:
    explicit ScratchFile(const std::string& suffix) {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/latentlab-fuzz-XXXXXX";
        if (!mkdtemp(pattern.data())) {
            std::perror("latentlab fuzz: mkdtemp");
            std::abort();
        }
        m_dir = pattern;
        m_path = m_dir + "/input" + suffix;
    }
    ~ScratchFile() {
        std::remove(m_path.c_str());
        rmdir(m_dir.c_str());
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;

    // Replaces the file's contents; aborts if the disk refuses (that is not a finding).
    const std::string& write(const uint8_t* data, size_t size) const {
        FILE* f = std::fopen(m_path.c_str(), "wb");
        const bool ok = f && std::fwrite(data, 1, size, f) == size;
        if (!f || std::fclose(f) != 0 || !ok) {
            std::perror("latentlab fuzz: cannot write the scratch file");
            std::abort();
        }
        return m_path;
    }
    const std::string& path() const { return m_path; }

private:
    std::string m_dir;
    std::string m_path;
};

// A loader broke its contract (an exception other than its documented error, an
// inconsistent result): print what happened and abort, so libFuzzer saves the input.
[[noreturn]] inline void finding(const std::string& what) {
    std::fprintf(stderr, "\n==latentlab fuzz finding== %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

// An expected refusal. Silent while fuzzing; LATENTLAB_FUZZ_VERBOSE=1 prints it, which
// shows what a corpus file does when the target is run on it.
inline void refused(const std::string& message) {
    static const bool verbose = std::getenv("LATENTLAB_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "refused: %s\n", message.c_str());
}

// A documented error (`errorType`, e.g. "DataError"): a refusal, and its message must
// name `source` (the file or field), or it is a finding.
inline void refusedNaming(const std::exception& error, const char* errorType, const std::string& source) {
    refused(error.what());
    if (std::string(error.what()).find(source) == std::string::npos)
        finding(std::string(errorType) + " without '" + source + "': " + error.what());
}

} // namespace latentlab::fuzz
