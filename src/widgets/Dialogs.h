// The modal dialogs the app asks through (file pickers, a yes/no question, a line of text),
// with a seam for tests: an answer set beforehand is given instead of showing the dialog, once.
#pragma once

#include <QStringList>

#include <optional>

class QWidget;

namespace moonpane::Dialogs {

// QFileDialog::getOpenFileNames, or the answer set with setNextOpenFileNames.
QStringList openFileNames(QWidget *parent, const QString &title, const QString &dir, const QString &filter);
// A question with Yes (the default) and No; true for Yes.
bool ask(QWidget *parent, const QString &title, const QString &text);
// QFileDialog::getSaveFileName, or the answer set with setNextSaveFileName.
QString saveFileName(QWidget *parent, const QString &title, const QString &suggested, const QString &filter);
// A line of text, starting from `text`; empty when cancelled.
QString askText(QWidget *parent, const QString &title, const QString &label, const QString &text);

// For tests: what the next call answers without showing anything.
void setNextOpenFileNames(const QStringList &files);
void setNextSaveFileName(const QString &file);
void setNextAnswer(bool yes);
void setNextText(const QString &text);
// Whether a question was asked since the last call (tests check that one came, or did not).
bool takeAsked();

} // namespace moonpane::Dialogs
