// The choice of matrix multiply (latentlab/Multiply.h): the rule on an OpenBLAS kernel
// against the CPU's and the Eigen build's vector width, the overrides, and that this
// process's choice is the rule applied to this machine.
#include "latentlab/Multiply.h"
#include "latentlab/Types.h"

#include <QtTest>

#include <cstdlib>

using namespace latentlab;

Q_DECLARE_METATYPE(latentlab::VectorLevel)
Q_DECLARE_METATYPE(latentlab::MultiplyBackend)

namespace {

MultiplyFacts facts(const std::string& kernel, VectorLevel cpu, VectorLevel eigen, bool linked = true,
                    const std::string& oneDnnIsa = "") {
    MultiplyFacts f;
    f.oneDnnLinked = !oneDnnIsa.empty();
    f.oneDnnIsa = oneDnnIsa;
    f.oneDnnVersion = f.oneDnnLinked ? "oneDNN 2.6.3" : "";
    f.openBlasLinked = linked;
    f.openBlasKernel = linked ? kernel : "";
    f.openBlasVersion = linked ? "OpenBLAS 0.3.21" : "";
    f.cpu = cpu;
    f.eigen = eigen;
    return f;
}

} // namespace

class TestMultiply : public QObject {
    Q_OBJECT
private slots:
    void rule_data() {
        QTest::addColumn<QString>("kernel");
        QTest::addColumn<VectorLevel>("cpu");
        QTest::addColumn<VectorLevel>("eigen");
        QTest::addColumn<bool>("linked");
        QTest::addColumn<QString>("onednn"); // the ISA oneDNN reports, "" for a build without it
        QTest::addColumn<MultiplyBackend>("expected");
        using V = VectorLevel;
        using B = MultiplyBackend;
        // The Intel Xeon of the issue: OpenBLAS 0.3.21 falls back to SSE3 on an AVX-512 CPU.
        QTest::newRow("Prescott on AVX-512") << "Prescott" << V::Avx512 << V::Avx512 << true << "" << B::Eigen;
        QTest::newRow("Core2 on AVX2") << "Core2" << V::Avx2 << V::Avx2 << true << "" << B::Eigen;
        QTest::newRow("Nehalem on AVX2") << "Nehalem" << V::Avx2 << V::Avx2 << true << "" << B::Eigen;
        // OPENBLAS_CORETYPE=Haswell on AVX-512 (this project's AMD machines): 28 % slower.
        QTest::newRow("Haswell on AVX-512") << "Haswell" << V::Avx512 << V::Avx512 << true << "" << B::Eigen;
        QTest::newRow("Zen on AVX-512") << "Zen" << V::Avx512 << V::Avx512 << true << "" << B::Eigen;
        QTest::newRow("Sandybridge on AVX2") << "Sandybridge" << V::Avx2 << V::Avx2 << true << "" << B::Eigen;
        // A kernel as wide as Eigen's code.
        QTest::newRow("Cooperlake on AVX-512") << "Cooperlake" << V::Avx512 << V::Avx512 << true << "" << B::OpenBlas;
        QTest::newRow("SkylakeX on AVX-512") << "SkylakeX" << V::Avx512 << V::Avx512 << true << "" << B::OpenBlas;
        QTest::newRow("Haswell on AVX2") << "Haswell" << V::Avx2 << V::Avx2 << true << "" << B::OpenBlas;
        QTest::newRow("Zen on AVX2") << "Zen" << V::Avx2 << V::Avx2 << true << "" << B::OpenBlas;
        QTest::newRow("case does not matter") << "SKYLAKEX" << V::Avx512 << V::Avx512 << true << "" << B::OpenBlas;
        // An Eigen built without -march=native (SSE2 only) loses to any vector kernel.
        QTest::newRow("Haswell beside an SSE Eigen") << "Haswell" << V::Avx512 << V::Sse << true << "" << B::OpenBlas;
        // A kernel forced past what the CPU has would fault: never.
        QTest::newRow("SkylakeX on an AVX2 CPU") << "SkylakeX" << V::Avx2 << V::Avx2 << true << "" << B::Eigen;
        QTest::newRow("SkylakeX on an AVX2 CPU, SSE Eigen") << "SkylakeX" << V::Avx2 << V::Sse << true << "" << B::Eigen;
        // What the rule cannot place.
        QTest::newRow("unknown kernel") << "Zen5Turbo" << V::Avx512 << V::Avx512 << true << "" << B::Eigen;
        QTest::newRow("unknown kernel, SSE Eigen") << "Unknown" << V::Avx2 << V::Sse << true << "" << B::Eigen;
        QTest::newRow("no OpenBLAS in the build") << "" << V::Avx512 << V::Avx512 << false << "" << B::Eigen;
        // oneDNN picks its code by the CPU's features: taken whenever it is as wide as Eigen's.
        QTest::newRow("oneDNN AVX-512 beside Prescott") << "Prescott" << V::Avx512 << V::Avx512 << true
                                                        << "avx512_core_amx" << B::OneDnn;
        QTest::newRow("oneDNN AVX-512 beside Cooperlake") << "Cooperlake" << V::Avx512 << V::Avx512 << true
                                                          << "avx512_core_bf16" << B::OneDnn;
        QTest::newRow("oneDNN AVX2 on AVX2") << "Haswell" << V::Avx2 << V::Avx2 << true << "avx2" << B::OneDnn;
        QTest::newRow("oneDNN alone") << "" << V::Avx512 << V::Avx512 << false << "avx512_core" << B::OneDnn;
        // Held to AVX2 (DNNL_MAX_CPU_ISA) on an AVX-512 build: the next in line.
        QTest::newRow("oneDNN narrower, OpenBLAS as wide") << "SkylakeX" << V::Avx512 << V::Avx512 << true
                                                           << "avx2" << B::OpenBlas;
        QTest::newRow("oneDNN narrower, Prescott") << "Prescott" << V::Avx512 << V::Avx512 << true << "avx2"
                                                   << B::Eigen;
        QTest::newRow("oneDNN ISA unknown") << "" << V::Avx512 << V::Avx512 << false << "isa 4095" << B::Eigen;
    }
    void rule() {
        QFETCH(QString, kernel);
        QFETCH(VectorLevel, cpu);
        QFETCH(VectorLevel, eigen);
        QFETCH(bool, linked);
        QFETCH(QString, onednn);
        QFETCH(MultiplyBackend, expected);
        const MultiplyFacts f = facts(kernel.toStdString(), cpu, eigen, linked, onednn.toStdString());
        for (const char* request : {"auto", "", "AUTO"}) {
            const MultiplyChoice c = chooseMultiply(f, request);
            QCOMPARE(c.backend, expected);
            const char* names[] = {"eigen", "openblas", "onednn"};
            QCOMPARE(c.name, std::string(names[int(expected)]));
            QVERIFY(!c.requested);
            QVERIFY2(!c.reason.empty(), "the choice must say why");
            if (expected == MultiplyBackend::OpenBlas)
                QVERIFY2(c.label.find(kernel.toStdString()) != std::string::npos, c.label.c_str());
            else if (expected == MultiplyBackend::OneDnn)
                QVERIFY2(c.label.find(onednn.toStdString()) != std::string::npos, c.label.c_str());
            else if (linked)
                // The reason names the kernel that lost, so a user can see what OpenBLAS did.
                QVERIFY2(c.reason.find(kernel.toStdString()) != std::string::npos, c.reason.c_str());
        }
    }

    // Every x86-64 kernel of Debian 12's OpenBLAS 0.3.21 (DYNAMIC_ARCH) has a width.
    void everyKernelOfOpenBlas0321IsKnown() {
        const char* sse[] = {"Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom",
                             "Core2", "Penryn", "Dunnington", "Nehalem", "Athlon", "Opteron",
                             "Opteron_SSE3", "Barcelona", "Nano", "Bobcat"};
        for (const char* k : sse) QCOMPARE(openBlasKernelLevel(k), VectorLevel::Sse);
        for (const char* k : {"Sandybridge", "Bulldozer", "Piledriver", "Steamroller", "Excavator"})
            QCOMPARE(openBlasKernelLevel(k), VectorLevel::Avx);
        for (const char* k : {"Haswell", "Zen"}) QCOMPARE(openBlasKernelLevel(k), VectorLevel::Avx2);
        for (const char* k : {"SkylakeX", "Cooperlake", "SapphireRapids"})
            QCOMPARE(openBlasKernelLevel(k), VectorLevel::Avx512);
        QCOMPARE(openBlasKernelLevel("Unknown"), VectorLevel::Unknown);
        QCOMPARE(openBlasKernelLevel(""), VectorLevel::Unknown);
    }

    // oneDNN 2.6's effective ISAs on x86-64.
    void oneDnnIsaLevels() {
        QCOMPARE(oneDnnIsaLevel("sse41"), VectorLevel::Sse);
        QCOMPARE(oneDnnIsaLevel("avx"), VectorLevel::Avx);
        for (const char* isa : {"avx2", "avx2_vnni"}) QCOMPARE(oneDnnIsaLevel(isa), VectorLevel::Avx2);
        for (const char* isa : {"avx512_core", "avx512_core_vnni", "avx512_core_bf16", "avx512_core_amx"})
            QCOMPARE(oneDnnIsaLevel(isa), VectorLevel::Avx512);
        QCOMPARE(oneDnnIsaLevel("isa 4095"), VectorLevel::Unknown);
    }

    void requests() {
        const MultiplyFacts slow = facts("Prescott", VectorLevel::Avx512, VectorLevel::Avx512);
        const MultiplyChoice open = chooseMultiply(slow, "openblas");
        QCOMPARE(open.backend, MultiplyBackend::OpenBlas);
        QVERIFY(open.requested);
        const MultiplyFacts fast = facts("SkylakeX", VectorLevel::Avx512, VectorLevel::Avx512);
        const MultiplyChoice eigen = chooseMultiply(fast, "Eigen");
        QCOMPARE(eigen.backend, MultiplyBackend::Eigen);
        QVERIFY(eigen.requested);

        const MultiplyFacts none = facts("", VectorLevel::Avx2, VectorLevel::Avx2, false);
        QVERIFY_THROWS_EXCEPTION(ConfigError, chooseMultiply(none, "openblas"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, chooseMultiply(none, "onednn"));
        const MultiplyFacts dnn = facts("Prescott", VectorLevel::Avx512, VectorLevel::Avx512, true, "avx2");
        QCOMPARE(chooseMultiply(dnn, "onednn").backend, MultiplyBackend::OneDnn);
        QCOMPARE(chooseMultiply(dnn, "openblas").backend, MultiplyBackend::OpenBlas);
        try {
            chooseMultiply(fast, "mkl");
            QFAIL("an unknown request was accepted");
        } catch (const ConfigError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("'mkl'") != std::string::npos && what.find("eigen") != std::string::npos,
                     e.what());
        }
    }

    // This process: the facts are read off the machine, and the choice is the rule applied
    // to them (the suite runs with LATENTLAB_MULTIPLY unset or set by CTest, see
    // tests/CMakeLists.txt), the same every time it is asked.
    void processChoiceFollowsTheRule() {
        const MultiplyFacts f = detectMultiplyFacts();
#if defined(__x86_64__)
        QVERIFY2(f.cpu >= VectorLevel::Sse, "an x86-64 CPU has at least SSE2");
        QVERIFY2(f.eigen >= VectorLevel::Sse, "Eigen vectorises on x86-64");
        QVERIFY2(f.eigen <= f.cpu, "the Eigen build uses instructions this CPU lacks");
#endif
        if (f.openBlasLinked) QVERIFY2(!f.openBlasKernel.empty(), "OpenBLAS linked but no kernel name");
        if (f.oneDnnLinked)
            QVERIFY2(oneDnnIsaLevel(f.oneDnnIsa) != VectorLevel::Unknown && oneDnnIsaLevel(f.oneDnnIsa) <= f.cpu,
                     f.oneDnnIsa.c_str());
        const char* env = std::getenv("LATENTLAB_MULTIPLY");
        const MultiplyChoice expected = chooseMultiply(f, env ? env : "auto");
        const MultiplyChoice& got = multiplyChoice();
        QCOMPARE(got.backend, expected.backend);
        QCOMPARE(got.label, expected.label);
        QCOMPARE(&multiplyChoice(), &got);
        QCOMPARE(multiplyRequestError(), std::string());
        // Once decided, another backend can no longer be asked for; the same one can.
        if (got.backend != MultiplyBackend::Eigen)
            QVERIFY_THROWS_EXCEPTION(ConfigError, setMultiplyRequest("eigen"));
        else if (f.openBlasLinked)
            QVERIFY_THROWS_EXCEPTION(ConfigError, setMultiplyRequest("openblas"));
        setMultiplyRequest(got.name);
        QCOMPARE(multiplyChoice().backend, got.backend);
    }
};

QTEST_GUILESS_MAIN(TestMultiply)
#include "tst_multiply.moc"
