#include "Dialogs.h"

#include <QFileDialog>
#include <QInputDialog>
#include <QMessageBox>

namespace moonpane::Dialogs {

namespace {

std::optional<QStringList> g_nextFiles;
std::optional<bool> g_nextAnswer;
std::optional<QString> g_nextText;
std::optional<QString> g_nextSaveFile;
bool g_asked = false;

} // namespace

QStringList openFileNames(QWidget *parent, const QString &title, const QString &dir, const QString &filter)
{
    if (g_nextFiles)
        return *std::exchange(g_nextFiles, std::nullopt);
    return QFileDialog::getOpenFileNames(parent, title, dir, filter);
}

bool ask(QWidget *parent, const QString &title, const QString &text)
{
    g_asked = true;
    if (g_nextAnswer)
        return *std::exchange(g_nextAnswer, std::nullopt);
    return QMessageBox::question(parent, title, text, QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes)
        == QMessageBox::Yes;
}

QString saveFileName(QWidget *parent, const QString &title, const QString &suggested, const QString &filter)
{
    if (g_nextSaveFile)
        return *std::exchange(g_nextSaveFile, std::nullopt);
    return QFileDialog::getSaveFileName(parent, title, suggested, filter);
}

void setNextSaveFileName(const QString &file)
{
    g_nextSaveFile = file;
}

QString askText(QWidget *parent, const QString &title, const QString &label, const QString &text)
{
    g_asked = true;
    if (g_nextText)
        return *std::exchange(g_nextText, std::nullopt);
    bool ok = false;
    const QString answer = QInputDialog::getText(parent, title, label, QLineEdit::Normal, text, &ok);
    return ok ? answer : QString();
}

void setNextText(const QString &text)
{
    g_nextText = text;
}

void setNextOpenFileNames(const QStringList &files)
{
    g_nextFiles = files;
}

void setNextAnswer(bool yes)
{
    g_nextAnswer = yes;
}

bool takeAsked()
{
    return std::exchange(g_asked, false);
}

} // namespace moonpane::Dialogs
