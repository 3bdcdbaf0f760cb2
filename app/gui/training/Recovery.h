// Autosaved sessions, for restoring after a crash. While it trains, each running program
// keeps one model file (app::modelFileBytes: weights, optimiser, the trainer's exact
// position, history) in <generic data location>/latentlab/recovery as
// session-<pid>-<random>.llmodel, beside a lock file that it holds. A clean exit removes both; a
// crash or kill -9 leaves them, and the next start finds the file by its stale lock.
// No widgets: the worker thread writes, the window asks the user.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QLockFile>
#include <QString>
#include <memory>
#include <vector>

namespace latentlab::gui {

class RecoveryFile {
public:
    // The recovery folder ($XDG_DATA_HOME/latentlab/recovery, usually
    // ~/.local/share/latentlab/recovery), the same for every front-end and test.
    static QString defaultDirectory();

    explicit RecoveryFile(QString directory = defaultDirectory());
    // The file this program's RecoveryFile in `directory` writes.
    static QString pathFor(const QString& directory);
    ~RecoveryFile(); // a clean exit: nothing left to recover
    RecoveryFile(const RecoveryFile&) = delete;
    RecoveryFile& operator=(const RecoveryFile&) = delete;

    // Replaces the autosave atomically (temp file, fsync, rename); the first call creates
    // the folder and takes the lock. Throws FileError naming the path and the reason.
    void write(const QByteArray& modelFile);
    // Nothing to recover any more (the session was replaced or saved by the user).
    void remove();
    QString path() const { return m_path; }

    // A file a program left behind when it ended without cleaning up. Held: its lock is
    // this process's until the object goes, so that two programs started at once do not
    // both restore it.
    struct Orphan {
        QString path;
        QDateTime saved;
        std::shared_ptr<QLockFile> lock;
    };
    static std::vector<Orphan> orphans(const QString& directory = defaultDirectory());
    // Deletes an orphan's file and lock (restored, or declined by the user).
    static void discard(const Orphan& orphan);

private:
    QString m_directory, m_path;
    std::unique_ptr<QLockFile> m_lock;
};

} // namespace latentlab::gui
