#include "Dialogs.h"

#include <QFileDialog>
#include <QMessageBox>

namespace moonpane::Dialogs {

namespace {

std::optional<QStringList> g_nextFiles;
std::optional<bool> g_nextAnswer;
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
