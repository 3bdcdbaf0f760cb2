// Command-line options of the form `--name value` and `--flag`, checked strictly: an
// unknown option, a missing value or a malformed number is an error naming the option.
#pragma once

#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>
#include <stdexcept>

namespace latentlab::cli {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Args {
public:
    // valued: options that take a value; flags: options that do not.
    Args(const QStringList& argv, const QStringList& valued, const QStringList& flags = {});

    bool has(const QString& name) const { return m_values.contains(name) || m_flags.contains(name); }
    QString value(const QString& name, const QString& fallback = {}) const;
    QString required(const QString& name) const;
    int integer(const QString& name, int lo, int hi, int fallback) const;
    double number(const QString& name, double fallback) const;

private:
    QMap<QString, QString> m_values;
    QSet<QString> m_flags;
};

} // namespace latentlab::cli
