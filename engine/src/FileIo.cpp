#include "latentlab/FileIo.h"

#include "latentlab/Types.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace latentlab {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int err) {
    throw FileError(path + ": " + what + " (" + systemReason(err) + ")");
}

std::string kindOf(mode_t mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

void refuseIrregular(const std::string& path, mode_t mode) {
    if (!S_ISREG(mode)) throw FileError(path + ": is " + kindOf(mode) + ", not a regular file");
}

// Writes all of bytes to fd, retrying short writes and interrupted calls; errno on failure.
bool writeAll(int fd, const std::string& bytes) {
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += n;
        left -= size_t(n);
    }
    return true;
}

std::string folderOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseOf(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Writes and fsyncs an already opened file, closing it; errno and the step on failure.
bool finishFile(int fd, const std::string& bytes, const char*& step) {
    step = "cannot write";
    bool ok = writeAll(fd, bytes);
    if (ok) {
        step = "cannot flush to disk";
        ok = ::fsync(fd) == 0;
    }
    const int err = errno;
    if (::close(fd) != 0 && ok) {
        step = "cannot write";
        return false;
    }
    errno = err;
    return ok;
}

} // namespace

std::string systemReason(int err) { return std::strerror(err); }

void requireRegularFile(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) fail(path, "cannot open", errno);
    refuseIrregular(path, st.st_mode);
}

std::string readWholeFile(const std::string& path) {
    requireRegularFile(path);
    // O_NONBLOCK: should the name be swapped for a FIFO after the check, open still returns.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) fail(path, "cannot open", errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        fail(path, "cannot read", err);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        refuseIrregular(path, st.st_mode);
    }
    std::string bytes;
    bytes.reserve(size_t(st.st_size));
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            fail(path, "cannot read", err);
        }
        bytes.append(buffer, size_t(n));
    }
    ::close(fd);
    return bytes;
}

void writeFileDurably(const std::string& path, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) fail(path, "cannot create", errno);
    const char* step = "";
    if (!finishFile(fd, bytes, step)) fail(path, step, errno);
}

void syncFolder(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail(path, "cannot open the folder", errno);
    const bool ok = ::fsync(fd) == 0 || errno == EINVAL; // some file systems cannot sync folders
    const int err = errno;
    ::close(fd);
    if (!ok) fail(path, "cannot flush the folder to disk", err);
}

void writeFileAtomically(const std::string& path, const std::string& bytes) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        throw FileError(path + ": is a folder, cannot write a file in its place");
    static std::atomic<unsigned> counter{0};
    const std::string folder = folderOf(path);
    const std::string tmp = folder + "/." + baseOf(path) + ".tmp-" + std::to_string(::getpid()) + "-" +
                            std::to_string(counter.fetch_add(1));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) fail(path, "cannot write", errno);
    const char* step = "";
    if (!finishFile(fd, bytes, step)) {
        const int err = errno;
        ::unlink(tmp.c_str());
        fail(path, step, err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        fail(path, "cannot replace", err);
    }
    syncFolder(folder);
}

} // namespace latentlab
