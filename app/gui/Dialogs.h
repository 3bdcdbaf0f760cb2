// Every question and message the window puts to the user goes through here, so tests can
// replace it: message boxes must never block a test, and tests want to see the errors.
// The default implementation shows errors in a non-modal box (the window keeps working
// behind it) and asks questions with ordinary modal dialogs.
#pragma once

#include "PlotRenderer.h"

#include <QString>
#include <functional>
#include <optional>

class QWidget;

namespace latentlab::gui {

class Dialogs {
public:
    virtual ~Dialogs() = default;

    enum class SaveChoice { Save, Discard, Cancel };

    // Non-blocking report of something that went wrong.
    virtual void error(QWidget* parent, const QString& title, const QString& message);
    // Non-blocking note.
    virtual void information(QWidget* parent, const QString& title, const QString& message);
    // Help > About: rich text (links open in the browser), no warning or note icon.
    virtual void about(QWidget* parent, const QString& title, const QString& richText);
    // A yes/no question; `yes` labels the button that goes ahead.
    virtual bool confirm(QWidget* parent, const QString& title, const QString& question, const QString& yes);
    virtual SaveChoice askToSave(QWidget* parent, const QString& question);
    enum class RecoveryChoice { Restore, Discard, Later };
    // A non-blocking question: `answer` gets the choice once the user makes it.
    virtual void askRecovery(QWidget* parent, const QString& question, std::function<void(RecoveryChoice)> answer);
    // Empty when cancelled.
    virtual QString openFileName(QWidget* parent, const QString& caption, const QString& dir,
                                 const QString& filter);
    virtual QString saveFileName(QWidget* parent, const QString& caption, const QString& dir,
                                 const QString& filter);
    // The page of a plot about to be written to `path`: its size in points, and for a PNG
    // its resolution, starting from `proposed`. Empty when cancelled.
    virtual std::optional<app::PlotPage> askPlotPage(QWidget* parent, const QString& path,
                                                     const app::PlotPage& proposed);
};

} // namespace latentlab::gui
