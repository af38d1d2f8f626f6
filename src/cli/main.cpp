// moonpane-cli: the headless Moonpane client, for scripts and tests.
#include "ChatCommand.h"
#include "Console.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"moonpane"_s);
    QCoreApplication::setApplicationName(u"moonpane"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(MOONPANE_VERSION));

    const QStringList args = app.arguments().mid(1);
    const QString command = args.value(0);
    if (command == "chat"_L1)
        return moonpane::cli::ChatCommand().run(args.mid(1));
    if (command == "--version"_L1) {
        moonpane::cli::Console::out(u"moonpane-cli "_s + QCoreApplication::applicationVersion() + u'\n');
        return 0;
    }
    const QString usage = u"Usage: moonpane-cli chat [OPTIONS] [PROMPT]\n"
                          "Run 'moonpane-cli chat --help' for the options.\n"_s;
    if (command == "--help"_L1 || command == "-h"_L1 || command == "help"_L1) {
        moonpane::cli::Console::out(usage);
        return 0;
    }
    moonpane::cli::Console::error(command.isEmpty()
                                      ? usage.trimmed()
                                      : u"error: unknown command \"%1\"\n"_s.arg(command) + usage.trimmed());
    return moonpane::cli::ExitUsage;
}
