#include "RunFolder.h"

#include "RunConfig.h"

#include "latentlab/FileIo.h"
#include "latentlab/Types.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace latentlab::app {

namespace {

std::string local(const QString& path) { return QFile::encodeName(path).toStdString(); }

[[noreturn]] void fail(const QString& what, int err) {
    throw FileError((what + " (" + QString::fromStdString(systemReason(err)) + ")").toStdString());
}

// What a signal handler needs to clean up, published with release stores: the staging
// folder, and while an old run is renamed aside, where it went and where it belongs.
constexpr size_t kPathCapacity = 4096;
char g_staging[kPathCapacity];
char g_aside[kPathCapacity];
char g_final[kPathCapacity];
std::atomic<bool> g_hasStaging{false};
std::atomic<bool> g_hasAside{false};
std::atomic<bool> g_committed{false};

bool copyPath(char* into, const std::string& path) {
    if (path.size() + 1 > kPathCapacity) return false;
    std::memcpy(into, path.c_str(), path.size() + 1);
    return true;
}

// mkdir -p with the system's reason on failure.
void makeFolders(const QString& path) {
    QString sofar;
    for (const QString& part : path.split('/', Qt::SkipEmptyParts)) {
        sofar += '/' + part;
        struct stat st {};
        if (::stat(local(sofar).c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) throw FileError((sofar + ": is a file, cannot create a folder in it").toStdString());
            continue;
        }
        if (::mkdir(local(sofar).c_str(), 0777) != 0 && errno != EEXIST)
            fail(sofar + ": cannot create the folder", errno);
    }
}

void removeTree(const QString& path) { QDir(path).removeRecursively(); }

bool isRunFile(const QString& name) { return RunFolder::runFileNames().contains(name); }

} // namespace

QStringList RunFolder::runFileNames() {
    // metrics.csv only with `train --metrics`, but a run's own file all the same: an older
    // run's must not outlive a new run without it.
    return {"model.llmodel", "config.json", "history.csv", "latent.csv", "latent.png", "loss.png", "metrics.csv"};
}

RunFolder::RunFolder(const QString& out) {
    if (out.trimmed().isEmpty()) throw FileError("--out: the run folder's name is empty");
    m_final = QDir::cleanPath(QDir(out).absolutePath());
    // A symlink to a run folder: the swap happens at its target, and the link stays.
    if (QFileInfo(m_final).isSymLink() && QFileInfo(m_final).isDir()) m_final = QFileInfo(m_final).canonicalFilePath();
    const QFileInfo info(m_final);
    if (m_final == "/" || info.fileName().isEmpty()) throw FileError((m_final + ": cannot be a run folder").toStdString());

    struct stat st {};
    if (::stat(local(m_final).c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) throw FileError((m_final + ": is a file, not a folder").toStdString());
        const QDir dir(m_final);
        const QFileInfoList entries = dir.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
        const bool hasModel = QFileInfo(dir.filePath("model.llmodel")).isFile();
        if (!entries.isEmpty() && !hasModel)
            throw FileError((m_final + ": holds other files and no model.llmodel, so it is not a run folder; "
                                       "give a new or an empty folder")
                                .toStdString());
        for (const QFileInfo& e : entries)
            if (!isRunFile(e.fileName()) && (!e.isFile() || e.isSymLink()))
                throw FileError((m_final + ": holds '" + e.fileName() +
                                 "', which is not a plain file; a run folder is replaced as a whole, "
                                 "so it cannot keep it")
                                    .toStdString());
        // Swapping a folder rewrites its ".." entry, which needs write permission on it.
        if (::access(local(m_final).c_str(), W_OK) != 0) fail(m_final + ": cannot replace this run folder", errno);
    } else if (errno != ENOENT && errno != ENOTDIR) { // ENOTDIR: a file on the way, named below
        fail(m_final + ": cannot use as the run folder", errno);
    }

    const QString parent = info.path();
    makeFolders(parent);
    m_staging = parent + "/." + info.fileName() + ".partial-" + QString::number(::getpid());
    removeTree(m_staging); // a leftover of this very process id from an earlier crash
    if (::mkdir(local(m_staging).c_str(), 0777) != 0)
        fail(m_final + ": cannot write the run beside it in " + parent, errno);
    if (copyPath(g_staging, local(m_staging))) g_hasStaging.store(true, std::memory_order_release);
}

RunFolder::~RunFolder() {
    if (!m_committed) removeStaging();
}

void RunFolder::removeStaging() noexcept {
    g_hasStaging.store(false, std::memory_order_release);
    removeTree(m_staging);
}

void RunFolder::write(const QString& name, const QByteArray& bytes) {
    const std::string staged = local(m_staging + '/' + name);
    try {
        writeFileDurably(staged, bytes.toStdString());
    } catch (const FileError& e) {
        // Name the file where the person expects it, not in the hidden staging folder.
        std::string message = e.what();
        if (message.compare(0, staged.size(), staged) == 0) message.replace(0, staged.size(), local(m_final + '/' + name));
        throw FileError(message + "; " + local(m_final) + " is unchanged");
    }
    if (!m_written.contains(name)) m_written << name;
}

void RunFolder::carryOverForeignFiles() {
    const QDir dir(m_final);
    for (const QFileInfo& e : dir.entryInfoList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoSymLinks)) {
        if (isRunFile(e.fileName())) continue;
        const QString into = m_staging + '/' + e.fileName();
        if (::link(local(e.filePath()).c_str(), local(into).c_str()) == 0) continue;
        // No hard links here (another file system, or one without them): copy.
        QFile f(e.filePath());
        if (!f.open(QIODevice::ReadOnly)) fail(e.filePath() + ": cannot keep this file of the old folder", EIO);
        writeFileDurably(local(into), f.readAll().toStdString());
    }
}

void RunFolder::commit() {
    if (m_committed) return;
    struct stat st {};
    // Looked at again here: the old run may have gone while this one trained.
    const bool finalExists = ::stat(local(m_final).c_str(), &st) == 0;
    if (finalExists) carryOverForeignFiles();
    syncFolder(local(m_staging));
    const std::string staging = local(m_staging), final = local(m_final);
    const std::string parent = local(QFileInfo(m_final).path());

    if (!finalExists) {
        if (::rename(staging.c_str(), final.c_str()) != 0) fail(m_final + ": cannot put the run in place", errno);
    } else if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, final.c_str(), RENAME_EXCHANGE) == 0) {
            // The staging name now holds the old run; a signal handler may remove it as well.
        g_committed.store(true, std::memory_order_release);
        removeTree(m_staging);
    } else if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
        // This file system cannot exchange two names: rename the old run aside, the new one
        // in, and drop the old. A signal between the two renames puts the old one back.
        const std::string aside = local(QFileInfo(m_final).path() + "/." + QFileInfo(m_final).fileName() + ".old-" +
                                        QString::number(::getpid()));
        removeTree(QFile::decodeName(aside.c_str()));
        if (copyPath(g_aside, aside) && copyPath(g_final, final)) g_hasAside.store(true, std::memory_order_release);
        if (::rename(final.c_str(), aside.c_str()) != 0) {
            const int err = errno;
            g_hasAside.store(false, std::memory_order_release);
            fail(m_final + ": cannot move the old run aside", err);
        }
        if (::rename(staging.c_str(), final.c_str()) != 0) {
            const int err = errno;
            ::rename(aside.c_str(), final.c_str());
            g_hasAside.store(false, std::memory_order_release);
            fail(m_final + ": cannot put the run in place", err);
        }
        g_committed.store(true, std::memory_order_release);
        g_hasAside.store(false, std::memory_order_release);
        g_hasStaging.store(false, std::memory_order_release);
        removeTree(QFile::decodeName(aside.c_str()));
    } else {
        fail(m_final + ": cannot put the run in place", errno);
    }
    m_committed = true;
    g_committed.store(true, std::memory_order_release);
    g_hasStaging.store(false, std::memory_order_release);
    syncFolder(parent);
}

bool removeStagingFromSignalHandler() noexcept {
    // Only async-signal-safe calls: open, getdents64, unlinkat, close, rmdir, rename.
    const bool committed = g_committed.load(std::memory_order_acquire);
    if (g_hasAside.load(std::memory_order_acquire)) {
        struct stat st {};
        if (::stat(g_final, &st) != 0) ::rename(g_aside, g_final);
    }
    if (!g_hasStaging.load(std::memory_order_acquire)) return committed;
    const int fd = ::open(g_staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        alignas(8) char buffer[8192];
        for (;;) {
            const long n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
            if (n <= 0) break;
            for (long at = 0; at < n;) {
                // struct linux_dirent64: u64 inode, s64 offset, u16 record length, u8 type, name
                unsigned short length = 0;
                std::memcpy(&length, buffer + at + 16, sizeof length);
                const char* name = buffer + at + 19;
                if (std::strcmp(name, ".") != 0 && std::strcmp(name, "..") != 0) ::unlinkat(fd, name, 0);
                at += length;
            }
        }
        ::close(fd);
    }
    ::rmdir(g_staging);
    return committed;
}

} // namespace latentlab::app
