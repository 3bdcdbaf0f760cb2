#include "Dialogs.h"

#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QUrl>

namespace latentlab::gui {

namespace {
void showNonModal(QMessageBox::Icon icon, QWidget* parent, const QString& title, const QString& message) {
    auto* box = new QMessageBox(icon, title, message, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}
} // namespace

void Dialogs::askRecovery(QWidget* parent, const QString& question, std::function<void(RecoveryChoice)> answer) {
    auto* box = new QMessageBox(QMessageBox::Question, QObject::tr("Restore training?"), question,
                                QMessageBox::NoButton, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    QPushButton* restore = box->addButton(QObject::tr("Restore"), QMessageBox::AcceptRole);
    QPushButton* discard = box->addButton(QObject::tr("Discard"), QMessageBox::DestructiveRole);
    box->addButton(QObject::tr("Not now"), QMessageBox::RejectRole);
    box->setDefaultButton(restore);
    QObject::connect(box, &QMessageBox::buttonClicked, box, [=](QAbstractButton* b) {
        answer(b == restore ? RecoveryChoice::Restore : b == discard ? RecoveryChoice::Discard : RecoveryChoice::Later);
    });
    box->show();
}

void Dialogs::error(QWidget* parent, const QString& title, const QString& message) {
    showNonModal(QMessageBox::Warning, parent, title, message);
}

void Dialogs::information(QWidget* parent, const QString& title, const QString& message) {
    showNonModal(QMessageBox::Information, parent, title, message);
}

void Dialogs::about(QWidget* parent, const QString& title, const QString& richText) {
    auto* box = new QMessageBox(QMessageBox::NoIcon, title, richText, QMessageBox::Ok, parent);
    box->setTextFormat(Qt::RichText);
    box->setTextInteractionFlags(Qt::TextBrowserInteraction);
    // The guide's link: opened by the desktop, or, where nothing can open it, named.
    for (QLabel* label : box->findChildren<QLabel*>()) {
        label->setOpenExternalLinks(false);
        QObject::connect(label, &QLabel::linkActivated, box, [box](const QString& link) {
            if (!QDesktopServices::openUrl(QUrl(link)))
                showNonModal(QMessageBox::Information, box, QObject::tr("User guide"),
                             QObject::tr("No program here opens %1. The guide is that file, section \"User guide\".")
                                 .arg(QUrl(link).toLocalFile().isEmpty() ? link : QUrl(link).toLocalFile()));
        });
    }
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}

bool Dialogs::confirm(QWidget* parent, const QString& title, const QString& question, const QString& yes) {
    QMessageBox box(QMessageBox::Question, title, question, QMessageBox::NoButton, parent);
    QPushButton* go = box.addButton(yes, QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(go);
    box.exec();
    return box.clickedButton() == go;
}

Dialogs::SaveChoice Dialogs::askToSave(QWidget* parent, const QString& question) {
    const auto answer = QMessageBox::question(parent, QObject::tr("Unsaved model"), question,
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                              QMessageBox::Save);
    if (answer == QMessageBox::Save) return SaveChoice::Save;
    if (answer == QMessageBox::Discard) return SaveChoice::Discard;
    return SaveChoice::Cancel;
}

QString Dialogs::openFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter) {
    return QFileDialog::getOpenFileName(parent, caption, dir, filter);
}

QString Dialogs::saveFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter) {
    return QFileDialog::getSaveFileName(parent, caption, dir, filter);
}

std::optional<app::PlotPage> Dialogs::askPlotPage(QWidget* parent, const QString& path,
                                                  const app::PlotPage& proposed) {
    using app::PlotPage;
    const bool png = path.endsWith(".png", Qt::CaseInsensitive);
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Size of %1").arg(QFileInfo(path).fileName()));
    auto* form = new QFormLayout(&dialog);
    auto side = [&](double value) {
        auto* box = new QDoubleSpinBox(&dialog);
        box->setRange(PlotPage::kMinSide, PlotPage::kMaxSide);
        box->setDecimals(0);
        box->setSuffix(QObject::tr(" pt"));
        box->setValue(value);
        return box;
    };
    QDoubleSpinBox* width = side(proposed.size.width());
    QDoubleSpinBox* height = side(proposed.size.height());
    form->addRow(QObject::tr("Width:"), width);
    form->addRow(QObject::tr("Height:"), height);
    auto* dpi = new QDoubleSpinBox(&dialog);
    dpi->setRange(PlotPage::kMinDpi, PlotPage::kMaxDpi);
    dpi->setDecimals(0);
    dpi->setSuffix(QObject::tr(" dpi"));
    dpi->setValue(proposed.dpi);
    auto* result = new QLabel(&dialog);
    if (png) {
        form->addRow(QObject::tr("Resolution:"), dpi);
        form->addRow(QString(), result);
    } else {
        dpi->hide();
        result->setText(QObject::tr("A vector drawing: sharp at any zoom (1 pt = 1/72 inch)."));
        form->addRow(QString(), result);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    auto page = [&] { return PlotPage{QSizeF(width->value(), height->value()), dpi->value()}; };
    auto update = [&] {
        const PlotPage p = page();
        const QString problem = p.problem();
        buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
        if (!png) return;
        const QSize px = p.pixels();
        result->setText(problem.isEmpty() ? QObject::tr("%1 x %2 pixels, %3 x %4 cm at %5 dpi")
                                                .arg(px.width())
                                                .arg(px.height())
                                                .arg(p.size.width() * 2.54 / 72, 0, 'f', 1)
                                                .arg(p.size.height() * 2.54 / 72, 0, 'f', 1)
                                                .arg(p.dpi)
                                          : problem);
    };
    for (QDoubleSpinBox* box : {width, height, dpi})
        QObject::connect(box, &QDoubleSpinBox::valueChanged, &dialog, update);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    update();
    if (dialog.exec() != QDialog::Accepted) return std::nullopt;
    return page();
}

} // namespace latentlab::gui
