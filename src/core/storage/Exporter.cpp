#include "Exporter.h"

#include "MessageCodec.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace moonpane::Exporter {

namespace {

QString seconds(qint64 ms)
{
    return ms < 10'000 ? u"%1 s"_s.arg(ms / 1000.0, 0, 'f', 1) : u"%1 s"_s.arg(ms / 1000);
}

// A fence longer than any run of backticks in the text.
QString fence(const QString &text)
{
    int longest = 0;
    int run = 0;
    for (QChar c : text) {
        run = c == u'`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return QString(std::max(3, longest + 1), u'`');
}

QString quoted(const QString &text)
{
    QStringList lines = text.split(u'\n');
    for (QString &line : lines)
        line.prepend(line.isEmpty() ? u">"_s : u"> "_s);
    return lines.join(u'\n');
}

QString heading(const Message &m)
{
    switch (m.role) {
    case Role::User:
        return QCoreApplication::translate("Exporter", "## User");
    case Role::Assistant:
        return m.model.isEmpty() ? QCoreApplication::translate("Exporter", "## Assistant")
                                 : QCoreApplication::translate("Exporter", "## Assistant · %1").arg(m.model);
    case Role::Tool:
        return m.name.isEmpty() ? QCoreApplication::translate("Exporter", "## Tool result")
                                : QCoreApplication::translate("Exporter", "## Tool result · %1").arg(m.name);
    case Role::System:
        return QCoreApplication::translate("Exporter", "## System");
    }
    return {};
}

} // namespace

QString markdown(Conversation &conversation)
{
    conversation.ensureText(conversation.path());
    QString out = u"# %1\n"_s.arg(conversation.title);
    if (!conversation.systemPrompt.trimmed().isEmpty())
        out += QCoreApplication::translate("Exporter", "\n**System prompt**\n\n%1\n")
                   .arg(quoted(conversation.systemPrompt.trimmed()));
    for (qint64 id : conversation.path()) {
        const Message *m = conversation.message(id);
        if (!m)
            continue;
        out += u'\n' + heading(*m) + u'\n';
        if (m->hasReasoning && !m->reasoning.trimmed().isEmpty()) {
            const QString summary = m->thinkingMs >= 0
                ? QCoreApplication::translate("Exporter", "Thinking (%1)").arg(seconds(m->thinkingMs))
                : QCoreApplication::translate("Exporter", "Thinking");
            out += u"\n<details>\n<summary>%1</summary>\n\n%2\n\n</details>\n"_s.arg(summary,
                                                                                     m->reasoning.trimmed());
        }
        if (!m->content.isEmpty()) {
            if (m->role == Role::Tool) {
                const QString f = fence(m->content);
                out += u"\n%1\n%2\n%1\n"_s.arg(f, m->content);
            } else {
                out += u'\n' + m->content.trimmed() + u'\n';
            }
        }
        for (const ContentPart &part : m->parts) {
            const QString kind = part.kind == ContentPart::Kind::Video ? u"Video"_s : u"Image"_s;
            out += u"\n*[%1: %2]*\n"_s.arg(kind, MessageCodec::describeMedia(part));
        }
        for (const ToolCall &call : m->toolCalls) {
            QString arguments = call.arguments;
            const QJsonDocument parsed = QJsonDocument::fromJson(call.arguments.toUtf8());
            if (!parsed.isNull())
                arguments = QString::fromUtf8(parsed.toJson(QJsonDocument::Indented)).trimmed();
            const QString f = fence(arguments);
            out += u"\n**Tool call** `%1` (%2)\n\n%3json\n%4\n%3\n"_s.arg(call.name, call.id, f, arguments);
        }
        if (m->state == MessageState::Incomplete)
            out += QCoreApplication::translate("Exporter", "\n> *This reply is incomplete.*\n");
        else if (m->state == MessageState::Failed)
            out += QCoreApplication::translate("Exporter", "\n> *Failed: %1*\n")
                       .arg(m->error.message.isEmpty() ? QCoreApplication::translate("Exporter", "no reply")
                                                       : m->error.message);
    }
    return out;
}

QByteArray wireJson(Conversation &conversation, bool inlineMedia)
{
    QJsonArray array;
    for (ChatMessage message : conversation.history()) {
        if (!inlineMedia) {
            for (ContentPart &part : message.parts) {
                if (part.isInline()) {
                    const QString kind = part.kind == ContentPart::Kind::Video ? u"video"_s : u"image"_s;
                    part = ContentPart::fromText(
                        QCoreApplication::translate("Exporter", "[%1 left out of this export: %2]")
                            .arg(kind, MessageCodec::describeMedia(part)));
                }
            }
        }
        array.append(QJsonDocument::fromJson(message.toJson()).object());
    }
    return QJsonDocument(array).toJson(QJsonDocument::Indented);
}

QList<Message> parentsFirst(const QList<Message> &messages)
{
    QHash<qint64, qsizetype> index;
    for (qsizetype i = 0; i < messages.size(); ++i)
        index.insert(messages.at(i).id, i);
    QHash<qint64, QList<qsizetype>> children;
    QList<qsizetype> roots;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const qint64 parent = messages.at(i).parentId;
        if (parent != 0 && index.contains(parent) && parent != messages.at(i).id)
            children[parent].append(i);
        else
            roots.append(i);
    }
    QList<Message> ordered;
    ordered.reserve(messages.size());
    QList<qsizetype> stack(roots.crbegin(), roots.crend());
    while (!stack.isEmpty()) {
        const qsizetype at = stack.takeLast();
        Message m = messages.at(at);
        if (!index.contains(m.parentId))
            m.parentId = 0;
        const QList<qsizetype> below = children.value(m.id);
        for (auto it = below.crbegin(); it != below.crend(); ++it)
            stack.append(*it);
        ordered.append(std::move(m));
    }
    return ordered; // a cycle (only from a damaged file) leaves its members out
}

QJsonObject toJson(const ConversationRecord &record)
{
    QJsonArray messages;
    for (const Message &m : parentsFirst(record.messages))
        messages.append(MessageCodec::toJson(m));
    return {
        {u"id"_s, MessageCodec::idText(record.id)},
        {u"title"_s, record.title},
        {u"created_at"_s, MessageCodec::timeText(record.createdAt)},
        {u"updated_at"_s, MessageCodec::timeText(record.updatedAt)},
        {u"system_prompt"_s, record.systemPrompt},
        {u"parameters"_s, record.parameters ? QJsonValue(record.parameters->toJson()) : QJsonValue()},
        {u"draft"_s, record.draft},
        {u"active_leaf"_s,
         record.activeLeaf ? QJsonValue(MessageCodec::idText(record.activeLeaf)) : QJsonValue()},
        {u"messages"_s, messages},
    };
}

bool fromJson(const QJsonValue &value, ConversationRecord *out, QString *error)
{
    if (!value.isObject()) {
        *error = QCoreApplication::translate("Exporter", "not a JSON object");
        return false;
    }
    const QJsonObject object = value.toObject();
    ConversationRecord record;
    const auto text = [&](const char *key, QString *into) {
        const QJsonValue v = object.value(QLatin1String(key));
        if (!v.isUndefined() && !v.isNull() && !v.isString()) {
            *error =
                QCoreApplication::translate("Exporter", "\"%1\" must be a string").arg(QLatin1String(key));
            return false;
        }
        *into = v.toString();
        return true;
    };
    record.id = MessageCodec::idFromJson(object.value("id"_L1));
    QString created;
    QString updated;
    if (!text("title", &record.title) || !text("created_at", &created) || !text("updated_at", &updated)
        || !text("system_prompt", &record.systemPrompt) || !text("draft", &record.draft))
        return false;
    record.createdAt = MessageCodec::timeFromText(created);
    record.updatedAt = MessageCodec::timeFromText(updated);
    if (!created.isEmpty() && !record.createdAt.isValid()) {
        *error = QCoreApplication::translate("Exporter", "\"created_at\" is not a date: %1").arg(created);
        return false;
    }
    if (!updated.isEmpty() && !record.updatedAt.isValid()) {
        *error = QCoreApplication::translate("Exporter", "\"updated_at\" is not a date: %1").arg(updated);
        return false;
    }
    const QJsonValue parameters = object.value("parameters"_L1);
    if (parameters.isObject())
        record.parameters = ChatParameters::fromJson(parameters.toObject());
    else if (!parameters.isUndefined() && !parameters.isNull()) {
        *error = QCoreApplication::translate("Exporter", "\"parameters\" must be an object");
        return false;
    }
    record.activeLeaf = MessageCodec::idFromJson(object.value("active_leaf"_L1));
    const QJsonValue messages = object.value("messages"_L1);
    if (!messages.isArray()) {
        *error = QCoreApplication::translate("Exporter", "\"messages\" must be an array");
        return false;
    }
    QSet<qint64> seen;
    const QJsonArray array = messages.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        Message m;
        QString why;
        if (!MessageCodec::fromJson(array.at(i), &m, &why)) {
            *error = QCoreApplication::translate("Exporter", "message %1: %2").arg(i + 1).arg(why);
            return false;
        }
        if (m.id != 0 && seen.contains(m.id)) {
            *error = QCoreApplication::translate("Exporter", "message %1: the id %2 appears twice")
                         .arg(i + 1)
                         .arg(m.id);
            return false;
        }
        if (m.parentId != 0 && !seen.contains(m.parentId)) {
            *error =
                QCoreApplication::translate("Exporter", "message %1: its parent %2 is not an earlier message")
                    .arg(i + 1)
                    .arg(m.parentId);
            return false;
        }
        if (m.role == Role::System) {
            *error = QCoreApplication::translate("Exporter",
                                                 "message %1: system messages belong in \"system_prompt\"")
                         .arg(i + 1);
            return false;
        }
        if (m.state == MessageState::Streaming)
            m.state = MessageState::Incomplete;
        if (m.id != 0)
            seen.insert(m.id);
        record.messages.append(std::move(m));
    }
    if (record.title.trimmed().isEmpty())
        record.title = QCoreApplication::translate("Exporter", "Imported chat");
    if (!record.createdAt.isValid())
        record.createdAt = QDateTime::currentDateTimeUtc();
    if (!record.updatedAt.isValid())
        record.updatedAt = record.createdAt;
    *out = std::move(record);
    return true;
}

} // namespace moonpane::Exporter
