// Runs latentlab-cli as a real process, for the end-to-end tests of the command line.
#pragma once

#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace clitest {

struct Result {
    int code; // exit status; -1 for a crash or a time-out
    QString out, err;
};

// The test's environment with LATENTLAB_DATA pointing at dataDir (so only generated
// datasets are found), then `unset` removed and `set` ("NAME=value") applied.
inline QProcessEnvironment environment(const QString& dataDir, const QStringList& unset = {},
                                       const QStringList& set = {}) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("LATENTLAB_DATA", dataDir);
    for (const QString& name : unset) env.remove(name);
    for (const QString& assignment : set) env.insert(assignment.section('=', 0, 0), assignment.section('=', 1));
    return env;
}

// Waits for a started process; one that is still running after timeoutMs is killed.
inline Result finish(QProcess& p, int timeoutMs = 600000) {
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, {}, "timed out"};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// A file's text, empty when it cannot be read.
inline QString fileText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// The last line of stderr: the CLI's one-line error.
inline QString lastErrorLine(const QString& err) {
    const QStringList lines = err.trimmed().split('\n');
    return lines.isEmpty() ? QString() : lines.last();
}

inline Result runCli(const QStringList& args, const QProcessEnvironment& env, int timeoutMs = 600000) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(LATENTLAB_CLI_PATH, args);
    return finish(p, timeoutMs);
}

} // namespace clitest
