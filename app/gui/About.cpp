#include "About.h"

#include "latentlab/BuildInfo.h"
#include "latentlab/Multiply.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QUrl>
#include <qcustomplot.h>

namespace latentlab::gui {

QStringList libraryVersions() {
    QStringList out{QString("Qt %1").arg(qVersion()), QString("QCustomPlot %1").arg(QCUSTOMPLOT_VERSION_STR)};
    for (const LibraryVersion& l : engineLibraries())
        out << QString::fromStdString(l.name) + " " + QString::fromStdString(l.version);
    return out;
}

QString userGuideUrl() {
    const QString bin = QCoreApplication::applicationDirPath();
    const QStringList candidates{bin + "/../share/doc/latentlab/README.md", bin + "/../README.md",
                                 QStringLiteral(LATENTLAB_SOURCE_DIR "/README.md")};
    for (const QString& c : candidates)
        if (QFileInfo(c).isFile()) {
            QUrl url = QUrl::fromLocalFile(QDir::cleanPath(QFileInfo(c).absoluteFilePath()));
            url.setFragment("user-guide");
            return url.toString();
        }
    return {};
}

QString aboutText() {
    const MultiplyChoice& m = multiplyChoice();
    QString html = QCoreApplication::translate("About", "<h3>Latent Lab %1</h3><p>Watch autoencoders learn. "
                                                        "Headless training and evaluation: <nobr><tt>latentlab-cli</tt></nobr>.</p>")
                       .arg(QCoreApplication::applicationVersion().toHtmlEscaped());
    html += QCoreApplication::translate("About", "<p><b>Matrix multiply:</b> %1<br>%2</p>")
                .arg(QString::fromStdString(m.label).toHtmlEscaped(), QString::fromStdString(m.reason).toHtmlEscaped());
    html += QCoreApplication::translate("About", "<p><b>Libraries:</b> %1</p>")
                .arg(libraryVersions().join(", ").toHtmlEscaped());
    const QString guide = userGuideUrl();
    html += guide.isEmpty()
                ? QCoreApplication::translate("About", "<p>The user guide is the README's \"User guide\" section.</p>")
                : QCoreApplication::translate("About", "<p><a href=\"%1\">User guide</a> (the README)</p>")
                      .arg(guide.toHtmlEscaped());
    return html;
}

} // namespace latentlab::gui
