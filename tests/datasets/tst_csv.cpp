// Tests of the CSV reader: what it reads, how it decides on a header, and every error path
// with its exact message (the file, the row, the column, the cell shown printably).
#include "DatasetFixtures.h"

#include "latentlab/CsvReader.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <cstdio>
#include <future>
#include <sys/stat.h>
#include <unistd.h>

using namespace latentlab::data;
using namespace datasettest;

class TestCsv : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString path(const QString& name) const { return m_tmp.filePath(name); }

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void csvGood() {
        const QString p = path("good.csv");
        writeFile(p, "\xEF\xBB\xBFx, \"y\",kind,z\r\n1.5,-2,0,3e2\r\n\"4\",+5,2,6\r\n"
                     "7,8,1,.5\r\n0,0,1,0\r\n\r\n\n");
        CsvOptions o;
        o.labelColumn = 2;
        o.testFraction = 0.25;
        const Dataset d = readCsv(str(p), o);
        d.validate();
        QCOMPARE(d.name, std::string("good"));
        QCOMPARE(d.rows, 4);
        QCOMPARE(d.cols, 3);
        QCOMPARE(d.trainRows, 3);
        QCOMPARE(d.values, (std::vector<float>{1.5f, -2, 300, 4, 5, 6, 7, 8, 0.5f, 0, 0, 0}));
        QCOMPARE(d.labels, (std::vector<float>{0, 2, 1, 1}));
        QCOMPARE(d.labelKind, LabelKind::Class);
        QCOMPARE(d.labelName, std::string("kind"));
        QCOMPARE(d.classNames.size(), size_t(3));

        // Without a header (Auto sees only numbers) and without labels.
        writeFile(p, "1;2\n3;4\n");
        CsvOptions semi;
        semi.delimiter = ';';
        const Dataset e = readCsv(str(p), semi);
        QCOMPARE(e.rows, 2);
        QCOMPARE(e.values, (std::vector<float>{1, 2, 3, 4}));
        QCOMPARE(e.labelKind, LabelKind::None);
        QCOMPARE(e.trainRows, 2);
    }

    void csvErrors_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("header"); // CsvOptions::Header
        QTest::addColumn<QString>("expected");
        const int automatic = int(CsvOptions::Header::Auto);
        QTest::newRow("ragged") << QByteArray("a,b,c\n1,2,3\n4,5,6\n\n7,8\n") << automatic
                                << "row 5 has 2 cells, expected 3";
        QTest::newRow("ragged crlf")
            << QByteArray("1,2\r\n3,4,5\r\n") << automatic << "row 2 has 3 cells, expected 2";
        QTest::newRow("text") << QByteArray("a,b\n1,2\n3,abc\n") << automatic
                              << "row 3, column 2: 'abc' is not a number";
        QTest::newRow("text in first row") << QByteArray("1,x\n") << int(CsvOptions::Header::No)
                                           << "row 1, column 2: 'x' is not a number";
        QTest::newRow("nan") << QByteArray("1,2\nnan,4\n") << automatic
                             << "row 2, column 1: 'nan' is not finite";
        QTest::newRow("inf") << QByteArray("1,2\n3,-inf\n") << automatic
                             << "row 2, column 2: '-inf' is not finite";
        QTest::newRow("too big for float")
            << QByteArray("1,1e300\n") << automatic << "row 1, column 2: '1e300' is out of range";
        QTest::newRow("empty cell")
            << QByteArray("1,2\n3,\n") << automatic << "row 2, column 2: empty cell";
        QTest::newRow("empty file") << QByteArray() << automatic << "file is empty";
        QTest::newRow("blank lines only") << QByteArray("\n \r\n") << automatic << "file is empty";
        QTest::newRow("header only")
            << QByteArray("a,b\n") << automatic << "no data rows after the header";
        QTest::newRow("open quote")
            << QByteArray("1,\"2\n") << automatic << "row 1 has an unterminated quote";
        // A first row with a number in it is data, typo or not: never a header dropped unseen.
        QTest::newRow("typo in first row")
            << QByteArray("1,x2\n3,4\n") << automatic << "row 1, column 2: 'x2' is not a number (read as data because row 1 holds numbers; if it is a header, set header to yes)";
        QTest::newRow("empty cell in first row")
            << QByteArray("1,\n3,4\n") << automatic << "row 1, column 2: empty cell";
        QTest::newRow("hex in first row")
            << QByteArray("0x10,2\n3,4\n") << automatic << "row 1, column 1: '0x10' is not a number";
        QTest::newRow("first row after blank lines")
            << QByteArray("\n\n1,x2\n3,4\n") << automatic << "row 3, column 2: 'x2' is not a number";
        QTest::newRow("text after closing quote")
            << QByteArray("\"1\"abc,2\n") << automatic << "row 1, column 1: '\"1\"abc' has text after its closing quote";
        QTest::newRow("text after quote, later row")
            << QByteArray("a,b\n1,2\n3, \"4\" x ,5\n") << automatic
            << "row 3, column 2: '\"4\" x' has text after its closing quote";
    }
    void csvErrors() {
        QFETCH(QByteArray, content);
        QFETCH(int, header);
        QFETCH(QString, expected);
        const QString p = path("bad.csv");
        writeFile(p, content);
        CsvOptions o;
        o.header = CsvOptions::Header(header);
        const QString msg = errorOf([&] { readCsv(str(p), o); });
        QVERIFY2(msg.startsWith(p + ": "), qPrintable(msg));
        QVERIFY2(msg.contains(expected), qPrintable(msg));
    }

    void csvLabelErrors() {
        const QString p = path("labels.csv");
        writeFile(p, "1,2\n3,0.5\n");
        CsvOptions o;
        o.labelColumn = 1;
        QString msg = errorOf([&] { readCsv(str(p), o); });
        QVERIFY2(msg.contains("row 2, column 2: class label '0.5' is not a whole number"),
                 qPrintable(msg));
        o.labelsAreClasses = false;
        QCOMPARE(readCsv(str(p), o).labelKind, LabelKind::Continuous);
        o.labelColumn = 4;
        msg = errorOf([&] { readCsv(str(p), o); });
        QVERIFY2(msg.contains("label column index 4 (column 5) does not exist"), qPrintable(msg));
    }

    // The header decision: Auto takes row 1 as names only when none of its cells is a number.
    void csvHeaderModes_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("header");
        QTest::addColumn<int>("rows");
        const int automatic = int(CsvOptions::Header::Auto);
        const int yes = int(CsvOptions::Header::Yes);
        const int no = int(CsvOptions::Header::No);
        QTest::newRow("names") << QByteArray("x,y\n1,2\n3,4\n") << automatic << 2;
        QTest::newRow("pandas index column") << QByteArray(",x,y\n0,1,2\n1,3,4\n") << automatic << 2;
        QTest::newRow("quoted names") << QByteArray("\"x\",\"nan\"\n1,2\n") << automatic << 1;
        QTest::newRow("numbers") << QByteArray("1,2\n3,4\n") << automatic << 2;
        QTest::newRow("numeric names, yes") << QByteArray("2019,2020\n1,2\n3,4\n") << yes << 2;
        QTest::newRow("numeric names, auto") << QByteArray("2019,2020\n1,2\n3,4\n") << automatic << 3;
        QTest::newRow("numbers, no") << QByteArray("1,2\n3,4\n") << no << 2;
    }
    void csvHeaderModes() {
        QFETCH(QByteArray, content);
        QFETCH(int, header);
        QFETCH(int, rows);
        const QString p = path("header.csv");
        writeFile(p, content);
        CsvOptions o;
        o.header = CsvOptions::Header(header);
        QCOMPARE(readCsv(str(p), o).rows, rows);
        QCOMPARE(readCsvFirstRow(str(p), o).isHeader, rows < content.count('\n'));
    }

    void csvHeaderNames() {
        for (auto h : {CsvOptions::Header::Auto, CsvOptions::Header::Yes, CsvOptions::Header::No})
            QCOMPARE(parseCsvHeader(csvHeaderName(h)), h);
        QCOMPARE(csvHeaderName(CsvOptions::Header::Yes), std::string("yes"));
        const QString msg = errorOf([] { parseCsvHeader("maybe"); });
        QCOMPARE(msg, QString("header: unknown 'maybe' (choose auto, yes or no)"));
    }

    void csvFirstRow() {
        const QString p = path("first.csv");
        writeFile(p, "\xEF\xBB\xBF\n x ,\"y, z\",kind\n1,2,0\n");
        CsvFirstRow row = readCsvFirstRow(str(p));
        QVERIFY(row.isHeader);
        QCOMPARE(row.cells, (std::vector<std::string>{"x", "y, z", "kind"}));
        CsvOptions no;
        no.header = CsvOptions::Header::No;
        QVERIFY(!readCsvFirstRow(str(p), no).isHeader);
        writeFile(p, "1,2,0\n");
        row = readCsvFirstRow(str(p));
        QVERIFY(!row.isHeader);
        QCOMPARE(row.cells.size(), size_t(3));
        writeFile(p, "\n\n");
        QVERIFY2(errorOf([&] { readCsvFirstRow(str(p)); }).endsWith(": file is empty"), "empty file");
    }

    // Cell text echoed in a message is one printable line however the cell looks.
    void csvEchoedTextIsPrintable_data() {
        QTest::addColumn<QByteArray>("cell");
        QTest::addColumn<QString>("shown");
        QTest::newRow("carriage return") << QByteArray("a\rb") << "'a\\rb' is not a number";
        QTest::newRow("nul") << QByteArray("a\0b", 3) << "'a\\0b' is not a number";
        QTest::newRow("escape sequence") << QByteArray("\x1b[31mred") << "'\\x1b[31mred' is not a number";
        QTest::newRow("tab inside") << QByteArray("a\tb") << "'a\\tb' is not a number";
        QTest::newRow("invalid utf-8") << QByteArray("a\xff\xc3") << "'a\\xff\\xc3' is not a number";
        QTest::newRow("C1 control") << QByteArray("a\xc2\x9b") << "'a\\u009b' is not a number";
        QTest::newRow("utf-8 kept") << QByteArray("gr\xc3\xbc\xc3\x9f" "e") << "'gr\u00fc\u00dfe' is not a number";
        QTest::newRow("one megabyte")
            << QByteArray(1 << 20, 'x') << "'" + QString(40, 'x') + "\u2026' (1048576 bytes) is not a number";
    }
    void csvEchoedTextIsPrintable() {
        QFETCH(QByteArray, cell);
        QFETCH(QString, shown);
        const QString p = path("echo.csv");
        writeFile(p, "a,b\n1,2\n3," + cell + "\n");
        const QString msg = errorOf([&] { readCsv(str(p)); });
        QCOMPARE(msg, p + ": row 3, column 2: " + shown);
        for (const QChar ch : msg) QVERIFY2(ch.unicode() >= 0x20 && ch.unicode() != 0x7f, qPrintable(msg));
    }

    void csvQuoteCellCutsAtCharacters() {
        // Cut after whole characters, never inside a UTF-8 sequence; short text is left whole.
        QCOMPARE(QString::fromStdString(quoteCell("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3)),
                 QString("'\u00e9\u00e9\u00e9\u2026' (8 bytes)"));
        QCOMPARE(QString::fromStdString(quoteCell("abc", 3)), QString("'abc'"));
        QCOMPARE(QString::fromStdString(quoteCell("")), QString("''"));
    }

    // What stands at the path is checked before it is opened, and the system's reason given.
    void csvUnreadablePaths() {
        QString msg = errorOf([&] { readCsv(str(path("absent.csv"))); });
        QCOMPARE(msg, path("absent.csv") + ": cannot open (No such file or directory)");
        writeFile(path("plain.csv"), "1,2\n");
        msg = errorOf([&] { readCsv(str(path("plain.csv") + "/inner.csv")); });
        QCOMPARE(msg, path("plain.csv") + "/inner.csv: cannot open (Not a directory)");
        QVERIFY(QDir(m_tmp.path()).mkpath("folder.csv"));
        msg = errorOf([&] { readCsv(str(path("folder.csv"))); });
        QCOMPARE(msg, path("folder.csv") + ": is a directory, not a CSV file");
        msg = errorOf([&] { readCsvFirstRow(str(path("folder.csv"))); });
        QCOMPARE(msg, path("folder.csv") + ": is a directory, not a CSV file");

        // Opening a FIFO for reading would wait for a writer for ever.
        const std::string fifo = str(path("pipe.csv"));
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        auto reading = std::async(std::launch::async, [&] { return errorOf([&] { readCsv(fifo); }); });
        if (reading.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
            // Unblock the reader so the test can end, then fail.
            std::FILE* writer = std::fopen(fifo.c_str(), "w");
            if (writer) std::fclose(writer);
            QFAIL("readCsv blocked on a FIFO");
        }
        QCOMPARE(reading.get(), QString::fromStdString(fifo) + ": is a named pipe (FIFO), not a regular file; "
                                                              "save the data to a file first");

        if (::geteuid() == 0) QSKIP("running as root: permissions do not stop reading");
        const QString locked = path("locked.csv");
        writeFile(locked, "1,2\n");
        QVERIFY(QFile::setPermissions(locked, QFileDevice::WriteOwner));
        msg = errorOf([&] { readCsv(str(locked)); });
        QCOMPARE(msg, locked + ": cannot open (Permission denied)");
    }
};

QTEST_GUILESS_MAIN(TestCsv)
#include "tst_csv.moc"
