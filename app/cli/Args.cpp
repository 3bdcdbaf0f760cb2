#include "Args.h"

#include <cmath>

namespace latentlab::cli {

Args::Args(const QStringList& argv, const QStringList& valued, const QStringList& flags) {
    for (int i = 0; i < argv.size(); ++i) {
        const QString& a = argv[i];
        if (!a.startsWith("--")) throw UsageError(("unexpected argument '" + a + "'").toStdString());
        const QString name = a.mid(2);
        if (flags.contains(name)) {
            m_flags.insert(name);
        } else if (valued.contains(name)) {
            if (i + 1 >= argv.size()) throw UsageError(("option --" + name + " needs a value").toStdString());
            m_values[name] = argv[++i];
        } else {
            QStringList known;
            for (const QString& k : valued + flags) known << "--" + k;
            throw UsageError(("unknown option --" + name + " (this command takes " + known.join(", ") + ")").toStdString());
        }
    }
}

QString Args::value(const QString& name, const QString& fallback) const { return m_values.value(name, fallback); }

QString Args::required(const QString& name) const {
    if (!m_values.contains(name)) throw UsageError(("missing required option --" + name).toStdString());
    return m_values.value(name);
}

int Args::integer(const QString& name, int lo, int hi, int fallback) const {
    if (!m_values.contains(name)) return fallback;
    bool ok = false;
    const qlonglong v = m_values[name].toLongLong(&ok);
    if (!ok || v < lo || v > hi)
        throw UsageError(QString("--%1: expected a whole number from %2 to %3, got '%4'")
                             .arg(name).arg(lo).arg(hi).arg(m_values[name]).toStdString());
    return int(v);
}

double Args::number(const QString& name, double fallback) const {
    if (!m_values.contains(name)) return fallback;
    bool ok = false;
    const double v = m_values[name].toDouble(&ok);
    if (!ok || !std::isfinite(v))
        throw UsageError(("--" + name + ": expected a number, got '" + m_values[name] + "'").toStdString());
    return v;
}

} // namespace latentlab::cli
