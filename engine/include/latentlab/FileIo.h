// Reading and writing whole files with POSIX calls, so that every failure carries the
// system's reason ("No space left on device", "Permission denied") and every file that
// replaces another has reached the disk first. All errors are FileError "<path>: <problem>".
#pragma once

#include <string>

namespace latentlab {

// Reads a whole regular file. A folder, FIFO, device or socket is refused before it is
// opened for reading (a FIFO would block), as is a missing file or a symlink loop.
std::string readWholeFile(const std::string& path);

// Throws FileError unless path names an existing regular file (following symlinks).
void requireRegularFile(const std::string& path);

// Writes bytes to path atomically: a temporary file in the same folder, written, fsync'ed,
// then renamed over path, and the folder fsync'ed. On failure nothing is left behind.
void writeFileAtomically(const std::string& path, const std::string& bytes);

// Creates or truncates path, writes bytes and fsyncs. Not atomic on its own: for files in a
// folder that is itself put in place atomically (see the run folder in app/common).
void writeFileDurably(const std::string& path, const std::string& bytes);

// fsync on a folder, so that the names created or renamed in it are on the disk.
void syncFolder(const std::string& path);

// The system's message for errno value err ("No space left on device").
std::string systemReason(int err);

} // namespace latentlab
