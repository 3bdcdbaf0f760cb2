#include "Dialogs.h"

#include <QDesktopServices>
#include <QFileDialog>
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

} // namespace latentlab::gui
