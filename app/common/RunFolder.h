// A run folder that changes as a whole or not at all.
//
// The files of a new run are written into a hidden sibling folder ".<name>.partial-<pid>",
// each flushed to disk, and only when all are there is that folder swapped with the old
// run in one rename (renameat2 RENAME_EXCHANGE; rename aside and back where a file system
// cannot exchange). A failure or an interruption before the swap leaves the old run as it
// was; after it, the folder holds the whole new run.
//
// Files in the old folder that are not a run's own (a codes.csv from `encode`, notes) are
// carried over into the new one as hard links. A non-empty folder that holds no model
// file is refused: "--out ." must not replace a project folder.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace latentlab::app {

class RunFolder {
public:
    // Checks that `out` can take a run and creates the staging folder beside it, so that an
    // unwritable or unsuitable --out is found before any training. Throws FileError.
    explicit RunFolder(const QString& out);
    ~RunFolder(); // removes the staging folder unless committed
    RunFolder(const RunFolder&) = delete;
    RunFolder& operator=(const RunFolder&) = delete;

    // Writes one file of the new run (name without folder) into the staging folder.
    void write(const QString& name, const QByteArray& bytes);
    // Puts the new run in place of the old one; the staging folder is gone afterwards.
    void commit();

    QString path() const { return m_final; }      // absolute, where the run ends up
    QString staging() const { return m_staging; } // absolute, hidden sibling
    QStringList written() const { return m_written; } // the files written so far, in order

    // The files a run consists of; anything else in a run folder is the user's own.
    static QStringList runFileNames();

private:
    void carryOverForeignFiles();
    void removeStaging() noexcept;

    QString m_final;
    QString m_staging;
    QStringList m_written;
    bool m_committed = false;
};

// For a signal handler that is about to end the process: removes the staging folder of the
// run being written, if any (its files, then the folder), and puts an old run renamed aside
// back. True if a new run was already in place. Only async-signal-safe calls.
bool removeStagingFromSignalHandler() noexcept;

} // namespace latentlab::app
