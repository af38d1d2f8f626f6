// moonpane: the desktop app.
#include "MainWindow.h"

#include <QApplication>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("moonpane"));
    QApplication::setApplicationName(QStringLiteral("moonpane"));
    QApplication::setApplicationDisplayName(QStringLiteral("Moonpane"));
    QApplication::setApplicationVersion(QStringLiteral(MOONPANE_VERSION));
    moonpane::MainWindow window;
    window.show();
    return QApplication::exec();
}
