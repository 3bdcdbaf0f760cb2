// Shared by the data-set test executables: writing test files, catching a DataError's
// message, and deterministic IDX arrays.
#pragma once

#include "latentlab/IdxReader.h"

#include <QFile>
#include <QString>
#include <QtTest>

#include <string>
#include <vector>

namespace datasettest {

using namespace latentlab::data;

inline void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(f.write(bytes), bytes.size());
}

// Runs f, expecting a DataError; returns its message ("" if none was thrown).
template <class F> QString errorOf(F&& f) {
    try {
        f();
    } catch (const DataError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

inline IdxArray pattern(std::vector<int64_t> dims, int salt) {
    IdxArray a;
    a.dims = std::move(dims);
    int64_t n = 1;
    for (int64_t d : a.dims)
        n *= d;
    for (int64_t i = 0; i < n; ++i)
        a.data.push_back(uint8_t((i * 7 + salt) % 256));
    return a;
}

inline std::string str(const QString& s) {
    return s.toStdString();
}

} // namespace datasettest
