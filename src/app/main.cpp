// moonpane: the desktop app.
#include "Appearance.h"
#include "MainWindow.h"
#include "media/VideoProbe.h"
#include "storage/ConversationStore.h"
#include "storage/Settings.h"

#include <QApplication>
#include <QIcon>

int main(int argc, char **argv)
{
    moonpane::VideoProbe::chooseBackend(); // before QtMultimedia picks one
    QApplication app(argc, argv);
    // No organization: the data directory is $XDG_DATA_HOME/moonpane, shared with moonpane-cli.
    QApplication::setApplicationName(QStringLiteral("moonpane"));
    QApplication::setApplicationDisplayName(QStringLiteral("Moonpane"));
    QApplication::setApplicationVersion(QStringLiteral(MOONPANE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/moonpane.svg")));
    moonpane::Appearance::apply(moonpane::Appearance::fromString(
        moonpane::Settings().value(moonpane::Settings::Key::Appearance).toString()));

    // The history. If it cannot be opened the app still works, keeping nothing, and says so.
    moonpane::ConversationStore store;
    QString error;
    const bool stored = store.open({}, &error);
    moonpane::MainWindow window(&store);
    if (!stored)
        window.showStorageProblem(
            QApplication::translate("main",
                                    "Your conversation history could not be opened, so nothing you do now "
                                    "will be kept.\n%1")
                .arg(error));
    window.show();
    return QApplication::exec();
}
