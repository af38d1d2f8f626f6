// moonpane-cli: the headless Moonpane client, for scripts and tests.
#include "ChatCommand.h"
#include "Console.h"
#include "StoreCommands.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // No organization: the data directory is $XDG_DATA_HOME/moonpane, shared with the app.
    QCoreApplication::setApplicationName(u"moonpane"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(MOONPANE_VERSION));

    using namespace moonpane::cli;
    const QStringList args = app.arguments().mid(1);
    const QString command = args.value(0);
    const QStringList rest = args.mid(1);
    if (command == "chat"_L1)
        return ChatCommand().run(rest);
    if (command == "list"_L1)
        return StoreCommands::list(rest);
    if (command == "export"_L1)
        return StoreCommands::exportConversations(rest);
    if (command == "import"_L1)
        return StoreCommands::importConversations(rest);
    if (command == "search"_L1)
        return StoreCommands::search(rest);
    if (command == "--version"_L1) {
        Console::out(u"moonpane-cli "_s + QCoreApplication::applicationVersion() + u'\n');
        return 0;
    }
    const QString usage =
        u"Usage: moonpane-cli COMMAND [OPTIONS]\n\n"
        "Commands:\n"
        "  chat [PROMPT]         send a message and print the reply as it streams (--save keeps it)\n"
        "  list                  the saved conversations, most recently active first\n"
        "  export ID | --all     a conversation as Markdown or JSON, or everything as JSON Lines\n"
        "  import FILE           conversations from a JSON Lines export\n"
        "  search QUERY          full-text search of the saved conversations (JSON lines)\n\n"
        "Run 'moonpane-cli COMMAND --help' for its options. Saved conversations are shared with the app, in\n"
        "$XDG_DATA_HOME/moonpane/moonpane.db (~/.local/share/moonpane by default).\n"_s;
    if (command == "--help"_L1 || command == "-h"_L1 || command == "help"_L1) {
        Console::out(usage);
        return 0;
    }
    Console::error(command.isEmpty() ? usage.trimmed()
                                     : u"error: unknown command \"%1\"\n"_s.arg(command) + usage.trimmed());
    return ExitUsage;
}
