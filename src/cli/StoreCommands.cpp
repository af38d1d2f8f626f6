#include "StoreCommands.h"

#include "ChatCommand.h"
#include "Console.h"
#include "storage/ConversationStore.h"
#include "storage/Database.h"
#include "storage/Exporter.h"
#include "storage/MessageCodec.h"
#include "storage/PrivateFiles.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace moonpane::cli::StoreCommands {

namespace {

// Parses `arguments` (the words after the command). Returns -1 to go on, else the exit code
// (help was shown, or the usage was wrong).
int parse(QCommandLineParser &parser, const QString &command, const QString &summary,
          const QStringList &arguments)
{
    parser.setApplicationDescription(summary);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(u"help"_s, u"show this help"_s);
    parser.addOption(help);
    if (!parser.parse(QStringList {u"moonpane-cli "_s + command} + arguments)) {
        Console::error(
            u"error: %1\nRun 'moonpane-cli %2 --help' for the options."_s.arg(parser.errorText(), command));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        Console::out(parser.helpText().replace(u"moonpane-cli "_s + command + u" [options]"_s,
                                               u"moonpane-cli "_s + command + u" [OPTIONS]"_s));
        return ExitComplete;
    }
    return -1;
}

bool openStore(ConversationStore *store)
{
    QString error;
    if (store->open({}, &error, false))
        return true;
    Console::error(u"error: "_s + error);
    return false;
}

QString localTime(const QDateTime &time)
{
    return time.toLocalTime().toString(u"yyyy-MM-dd HH:mm"_s);
}

// Where a command writes: the file given with --output (replaced only once all is written), or stdout.
class Output
{
public:
    bool open(const QString &path)
    {
        if (path.isEmpty() || path == "-"_L1)
            return m_stdout.open(stdout, QIODevice::WriteOnly);
        m_file = std::make_unique<QSaveFile>(path);
        if (PrivateFiles::open(m_file.get())) // a conversation is for its owner only
            return true;
        Console::error(u"error: cannot write %1: %2"_s.arg(path, m_file->errorString()));
        return false;
    }
    QIODevice *device() { return m_file ? static_cast<QIODevice *>(m_file.get()) : &m_stdout; }
    bool commit()
    {
        if (!m_file) {
            m_stdout.flush();
            return true;
        }
        if (m_file->commit())
            return true;
        Console::error(u"error: cannot write %1: %2"_s.arg(m_file->fileName(), m_file->errorString()));
        return false;
    }

private:
    QFile m_stdout;
    std::unique_ptr<QSaveFile> m_file;
};

} // namespace

int list(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption output(u"output"_s, u"text (a table) or json (one object per line)"_s,
                                    u"text|json"_s, u"text"_s);
    parser.addOption(output);
    if (const int code =
            parse(parser, u"list"_s, u"The saved conversations, most recently active first."_s, arguments);
        code >= 0)
        return code;
    const QString format = parser.value(output);
    if (format != "text"_L1 && format != "json"_L1) {
        Console::error(u"error: --output takes text or json (got \"%1\")"_s.arg(format));
        return ExitUsage;
    }
    ConversationStore store;
    if (!openStore(&store))
        return ExitStorage;
    const QHash<qint64, qint64> counts = store.messageCounts();
    for (const Conversation *c : store.conversations()) {
        if (format == "json"_L1) {
            const QJsonObject object {
                {u"id"_s, MessageCodec::idText(c->id)},
                {u"title"_s, c->title},
                {u"created_at"_s, MessageCodec::timeText(c->createdAt)},
                {u"updated_at"_s, MessageCodec::timeText(c->updatedAt)},
                {u"messages"_s, counts.value(c->id)},
            };
            Console::jsonLine(object);
        } else {
            Console::out(u"%1  %2  %3  %4\n"_s.arg(MessageCodec::idText(c->id), localTime(c->updatedAt))
                             .arg(counts.value(c->id), 5)
                             .arg(c->title));
        }
    }
    return ExitComplete;
}

int exportConversations(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption all(u"all"_s, u"every conversation (as JSON Lines)"_s);
    const QCommandLineOption format(
        u"format"_s,
        u"md: Markdown, thinking in collapsible sections; json: the messages array in the "
        "API's wire format; jsonl: Moonpane's lossless export, one conversation per line "
        "(what import reads)"_s,
        u"md|json|jsonl"_s);
    const QCommandLineOption inlineMedia(u"inline-media"_s,
                                         u"json: images and videos inline as data URIs (else left out)"_s);
    const QCommandLineOption output(u"output"_s, u"write to FILE instead of standard output"_s, u"FILE"_s);
    parser.addOptions({all, format, inlineMedia, output});
    parser.addPositionalArgument(u"ID"_s, u"the conversation (ids: moonpane-cli list)"_s);
    if (const int code =
            parse(parser, u"export"_s,
                  u"Exports a conversation as Markdown or wire-format JSON, or everything as JSON Lines."_s,
                  arguments);
        code >= 0)
        return code;
    const QStringList ids = parser.positionalArguments();
    const bool everything = parser.isSet(all);
    if (everything == !ids.isEmpty() || ids.size() > 1) {
        Console::error(
            u"error: give one conversation ID, or --all\nRun 'moonpane-cli export --help' for the options."_s);
        return ExitUsage;
    }
    const QString kind = parser.isSet(format) ? parser.value(format) : everything ? u"jsonl"_s : u"md"_s;
    if (kind != "md"_L1 && kind != "json"_L1 && kind != "jsonl"_L1) {
        Console::error(u"error: --format takes md, json or jsonl (got \"%1\")"_s.arg(kind));
        return ExitUsage;
    }
    if (everything && kind != "jsonl"_L1) {
        Console::error(
            u"error: --all exports JSON Lines (--format jsonl); md and json are for one conversation"_s);
        return ExitUsage;
    }
    qint64 id = 0;
    if (!everything) {
        bool ok = false;
        id = ids.constFirst().toLongLong(&ok);
        if (!ok || id <= 0) {
            Console::error(
                u"error: \"%1\" is not a conversation id (ids: moonpane-cli list)"_s.arg(ids.constFirst()));
            return ExitUsage;
        }
    }
    ConversationStore store;
    if (!openStore(&store))
        return ExitStorage;
    Conversation *conversation = everything ? nullptr : store.conversation(id);
    if (!everything && !conversation) {
        Console::error(u"error: there is no conversation %1 in %2"_s.arg(id).arg(store.path()));
        return ExitUsage;
    }
    Output out;
    if (!out.open(parser.value(output)))
        return ExitUsage;
    QString error;
    if (kind == "jsonl"_L1) {
        if (!store.exportAll(out.device(), &error, everything ? QList<qint64>() : QList<qint64> {id})) {
            Console::error(u"error: "_s + error);
            return ExitStorage;
        }
    } else {
        const QByteArray bytes = kind == "md"_L1
            ? Exporter::markdown(*conversation).toUtf8()
            : Exporter::wireJson(*conversation, parser.isSet(inlineMedia));
        out.device()->write(bytes);
    }
    return out.commit() ? ExitComplete : ExitUsage;
}

int importConversations(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        u"FILE"_s, u"a JSON Lines export (moonpane-cli export --all); - reads standard input"_s);
    if (const int code =
            parse(parser, u"import"_s,
                  u"Imports conversations from a JSON Lines export: all of them, or none if a line is "
                  "malformed. Ids already in use get new ones."_s,
                  arguments);
        code >= 0)
        return code;
    const QStringList files = parser.positionalArguments();
    if (files.size() != 1) {
        Console::error(u"error: give the file to import (or - for standard input)"_s);
        return ExitUsage;
    }
    QFile in;
    const QString path = files.constFirst();
    const bool opened = path == "-"_L1 ? in.open(stdin, QIODevice::ReadOnly)
                                       : (in.setFileName(path), in.open(QIODevice::ReadOnly));
    if (!opened) {
        Console::error(u"error: cannot read %1: %2"_s.arg(path, in.errorString()));
        return ExitUsage;
    }
    ConversationStore store;
    if (!openStore(&store))
        return ExitStorage;
    QString error;
    const int count = store.importAll(&in, &error);
    if (count < 0) {
        Console::error(u"error: %1: %2"_s.arg(path == "-"_L1 ? u"standard input"_s : path, error));
        return ExitUsage;
    }
    Console::out(u"Imported %1 conversation%2.\n"_s.arg(count).arg(count == 1 ? QString() : u"s"_s));
    return ExitComplete;
}

int search(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption reasoning(u"reasoning"_s, u"search the model's thinking too"_s);
    const QCommandLineOption limit(u"limit"_s, u"at most N matches (default 50)"_s, u"N"_s, u"50"_s);
    parser.addOptions({reasoning, limit});
    parser.addPositionalArgument(u"QUERY"_s, u"words that must all appear; \"quoted words\" as a phrase"_s);
    if (const int code =
            parse(parser, u"search"_s,
                  u"Full-text search of the saved conversations, newest first. Prints one JSON object "
                  "per match: conversation_id, message_id, title, role, created_at, in_reasoning, "
                  "snippet, and highlights ([start, end) in Unicode code points of the snippet)."_s,
                  arguments);
        code >= 0)
        return code;
    const QString query = parser.positionalArguments().join(u' ');
    bool ok = false;
    const int most = parser.value(limit).toInt(&ok);
    if (query.trimmed().isEmpty() || !ok || most <= 0) {
        Console::error(query.trimmed().isEmpty() ? u"error: give the words to search for"_s
                                                 : u"error: --limit needs a positive number"_s);
        return ExitUsage;
    }
    ConversationStore store;
    if (!openStore(&store))
        return ExitStorage;
    for (const SearchHit &hit : store.search(query, parser.isSet(reasoning), most)) {
        // The snippet without the markers, and where they were, in code points (not UTF-16 units).
        QList<SearchHit::Range> matches;
        const QString plain = SearchHit::unmark(hit.snippet, &matches);
        const auto codePoint = [&plain](qsizetype utf16) {
            return utf16 - std::count_if(plain.cbegin(), plain.cbegin() + utf16, [](QChar c) {
                       return c.isLowSurrogate();
                   });
        };
        QJsonArray highlights;
        for (const auto &[start, end] : matches)
            highlights.append(QJsonArray {codePoint(start), codePoint(end)});
        const QJsonObject object {
            {u"conversation_id"_s, MessageCodec::idText(hit.conversationId)},
            {u"message_id"_s, MessageCodec::idText(hit.messageId)},
            {u"title"_s, hit.title},
            {u"role"_s, roleName(hit.role)},
            {u"created_at"_s, MessageCodec::timeText(hit.createdAt)},
            {u"in_reasoning"_s, hit.inReasoning},
            {u"snippet"_s, plain},
            {u"highlights"_s, highlights},
        };
        Console::jsonLine(object);
    }
    return ExitComplete;
}

} // namespace moonpane::cli::StoreCommands
