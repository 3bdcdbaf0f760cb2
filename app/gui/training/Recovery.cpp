#include "training/Recovery.h"

#include "RunFiles.h"

#include "latentlab/Types.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QStandardPaths>

namespace latentlab::gui {

namespace {
QString lockPathOf(const QString& modelPath) {
    return modelPath.chopped(QStringLiteral(".llmodel").size()) + ".lock";
}

// A lock that QLockFile takes for live because it names this very process, on a file that
// is not this process's: a program before us had our PID. Its lock file is removed.
bool leftByAnEarlierSelf(QLockFile& lock, const QString& file, const QString& directory) {
    qint64 pid = 0;
    QString host, application;
    if (file == RecoveryFile::pathFor(directory) || !lock.getLockInfo(&pid, &host, &application)) return false;
    if (pid != QCoreApplication::applicationPid() || host != QSysInfo::machineHostName()) return false;
    return lock.removeStaleLockFile();
}
} // namespace

QString RecoveryFile::defaultDirectory() {
    // The generic location, not the application's: the desktop program, its tests and a
    // renamed binary all look in one place.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/latentlab/recovery";
}

QString RecoveryFile::pathFor(const QString& directory) {
    // The PID names the process for people; the random part tells apart programs that had
    // the same PID one after the other (PIDs are reused, and in a container every start
    // may get the same one), so a new program never writes over an older one's file.
    static const QString token = QString::number(QRandomGenerator::system()->generate64(), 16);
    return directory + QString("/session-%1-%2.llmodel").arg(QCoreApplication::applicationPid()).arg(token);
}

RecoveryFile::RecoveryFile(QString directory) : m_directory(std::move(directory)), m_path(pathFor(m_directory)) {}

RecoveryFile::~RecoveryFile() { remove(); }

void RecoveryFile::write(const QByteArray& modelFile) {
    if (!m_lock) {
        if (!QDir().mkpath(m_directory))
            throw FileError((m_directory + ": cannot create the recovery folder").toStdString());
        auto lock = std::make_unique<QLockFile>(lockPathOf(m_path));
        lock->setStaleLockTime(0); // only a dead owner makes it stale, never its age
        if (!lock->tryLock(0))
            throw FileError((lockPathOf(m_path) + ": cannot take the recovery lock").toStdString());
        m_lock = std::move(lock);
    }
    app::writeFileAtomic(m_path, modelFile);
}

void RecoveryFile::remove() {
    if (!m_lock) return;
    QFile::remove(m_path);
    m_lock->unlock(); // removes the lock file
    m_lock.reset();
}

std::vector<RecoveryFile::Orphan> RecoveryFile::orphans(const QString& directory) {
    std::vector<Orphan> out;
    const QFileInfoList files =
        QDir(directory).entryInfoList({"session-*.llmodel"}, QDir::Files, QDir::Time); // newest first
    for (const QFileInfo& f : files) {
        auto lock = std::make_shared<QLockFile>(lockPathOf(f.filePath()));
        lock->setStaleLockTime(0);
        // Held by a running program (another window training now): not an orphan. A lock
        // whose program is gone is stale, and QLockFile takes it over.
        if (!lock->tryLock(0) && !(leftByAnEarlierSelf(*lock, f.filePath(), directory) && lock->tryLock(0))) continue;
        out.push_back({f.filePath(), f.lastModified(), std::move(lock)});
    }
    return out;
}

void RecoveryFile::discard(const Orphan& orphan) {
    QFile::remove(orphan.path);
    if (orphan.lock) orphan.lock->unlock();
}

} // namespace latentlab::gui
