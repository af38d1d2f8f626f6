#include "WireExport.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace moonpane::WireExport {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("WireExport", text);
}

// The body's text with each medium replaced by what `name` makes of it (its place, from 1).
QByteArray withMediaNamed(const RequestBody &body,
                          const std::function<QByteArray(int, const MediaRef &)> &name)
{
    QByteArray text;
    int media = 0;
    for (const RequestBody::Segment &segment : body.segments())
        text += segment.isMedia() ? name(++media, segment.media) : segment.text;
    return text;
}

QByteArray sizeOf(const MediaRef &media)
{
    return QLocale::c().formattedDataSize(media.bytes, 1, QLocale::DataSizeTraditionalFormat).toUtf8();
}

QString indented(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || document.isNull())
        return QString::fromUtf8(text);
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
}

QByteArray shellQuoted(const QByteArray &text)
{
    QByteArray quoted = text;
    quoted.replace('\'', "'\\''");
    return '\'' + quoted + '\'';
}

} // namespace

QString readableBody(const RequestBody &body)
{
    return indented(withMediaNamed(body, [](int, const MediaRef &media) -> QByteArray {
        return "<" + media.mimeType.toUtf8() + ", " + sizeOf(media) + ">";
    }));
}

QString fullBody(const RequestBody &body, qint64 maxBytes, QString *error)
{
    if (body.size() > maxBytes) {
        *error = tr("the body is %1 with its media, too large to show here; Copy as curl carries it whole")
                     .arg(QLocale().formattedDataSize(body.size()));
        return {};
    }
    QByteArray flattened;
    if (!body.flatten(&flattened, error))
        return {};
    return indented(flattened);
}

QString editableBody(const RequestBody &body)
{
    return indented(withMediaNamed(body, [](int n, const MediaRef &media) -> QByteArray {
        return "<media " + QByteArray::number(n) + ": " + media.mimeType.toUtf8() + ", " + sizeOf(media)
            + ">";
    }));
}

std::optional<RequestBody> bodyFromEdited(const QString &text, const RequestBody &original, QString *error)
{
    QJsonParseError parse;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parse);
    if (parse.error != QJsonParseError::NoError) {
        *error = tr("not JSON: %1 at character %2").arg(parse.errorString()).arg(parse.offset);
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = tr("a request body is a JSON object");
        return std::nullopt;
    }
    QList<const RequestBody::Segment *> media;
    for (const RequestBody::Segment &segment : original.segments()) {
        if (segment.isMedia())
            media.append(&segment);
    }
    const QByteArray compact = document.toJson(QJsonDocument::Compact);
    static const QRegularExpression standIn(u"<media (\\d+): [^>]*>"_s);
    RequestBody body;
    const QString compactText = QString::fromUtf8(compact);
    qsizetype from = 0;
    for (auto it = standIn.globalMatch(compactText); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        const int n = match.captured(1).toInt();
        if (n < 1 || n > media.size()) {
            *error = tr("the request had no medium %1").arg(n);
            return std::nullopt;
        }
        body.appendText(compactText.mid(from, match.capturedStart() - from).toUtf8());
        body.appendMedia(media.at(n - 1)->media, media.at(n - 1)->encoding);
        from = match.capturedEnd();
    }
    body.appendText(compactText.mid(from).toUtf8());
    return body;
}

QByteArray curlCommand(const WireExchange &exchange, const QByteArray &flattened)
{
    QByteArray command = "curl -sS -N -X " + exchange.method + ' '
        + shellQuoted(exchange.url.toEncoded(QUrl::RemoveUserInfo)) + " \\\n";
    for (const auto &[name, value] : exchange.requestHeaders) {
        if (name.compare("content-length", Qt::CaseInsensitive) == 0)
            continue;
        if (name.compare("authorization", Qt::CaseInsensitive) == 0) {
            // The key from the environment: its value is never in the command.
            command += "  -H \"" + name + ": Bearer $MOONPANE_API_KEY\" \\\n";
            continue;
        }
        command += "  -H " + shellQuoted(name + ": " + value) + " \\\n";
    }
    QByteArray end = "MOONPANE_BODY";
    while (flattened.contains(end))
        end += '_';
    command += "  --data-binary @- <<'" + end + "'\n" + flattened + '\n' + end + '\n';
    return command;
}

QString assembled(const WireExchange &exchange)
{
    if (!exchange.end)
        return tr("The reply is still arriving.");
    const WireObserver::End &end = *exchange.end;
    const AssistantReply &reply = end.reply;
    QStringList parts;
    parts << tr("Outcome: %1").arg(end.outcome);
    if (end.error.isError())
        parts << tr("Error: %1").arg(end.error.summary());
    parts << tr("Finish reason: %1").arg(reply.finishReason.isEmpty() ? tr("none") : reply.finishReason);
    if (reply.usage) {
        const Usage &usage = *reply.usage;
        QString line = tr("Usage: %1 prompt").arg(usage.promptTokens);
        if (usage.cachedTokens)
            line += tr(" (%1 cached)").arg(*usage.cachedTokens);
        line += tr(" · %1 completion").arg(usage.completionTokens);
        if (usage.reasoningTokens)
            line += tr(" (%1 reasoning)").arg(*usage.reasoningTokens);
        line += tr(" · %1 total").arg(usage.totalTokens);
        parts << line;
    } else {
        parts << tr("Usage: not reported");
    }
    if (!reply.model.isEmpty() || !reply.id.isEmpty())
        parts << tr("Model: %1 · id: %2").arg(reply.model, reply.id);
    for (qsizetype i = 0; i < reply.toolCalls.size(); ++i) {
        const ToolCall &call = reply.toolCalls.at(i);
        parts << tr("Tool call %1: %2 %3 (id %4)").arg(i).arg(call.name, call.arguments, call.id);
    }
    if (reply.hasReasoning || !reply.reasoningContent.isEmpty())
        parts << tr("Reasoning (%1 characters):").arg(reply.reasoningContent.size()) + u'\n'
                + reply.reasoningContent;
    parts << tr("Content (%1 characters):").arg(reply.content.size()) + u'\n' + reply.content;
    if (exchange.replyCut)
        parts << tr("(The reply was kept in part: the first %1 characters of each.)")
                     .arg(WireRecorder::kMaxReplyChars);
    return parts.join(u"\n\n"_s);
}

} // namespace moonpane::WireExport
