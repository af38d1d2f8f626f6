// moonpane: the desktop app.
#include "Appearance.h"
#include "MainWindow.h"
#include "storage/Settings.h"

#include <QApplication>
#include <QIcon>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("moonpane"));
    QApplication::setApplicationName(QStringLiteral("moonpane"));
    QApplication::setApplicationDisplayName(QStringLiteral("Moonpane"));
    QApplication::setApplicationVersion(QStringLiteral(MOONPANE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/moonpane.svg")));
    moonpane::Appearance::apply(moonpane::Appearance::fromString(
        moonpane::Settings().value(moonpane::Settings::Key::Appearance).toString()));
    moonpane::MainWindow window;
    window.show();
    return QApplication::exec();
}
