// Event streams of Kimi-shaped replies for tool-loop tests: reasoning first, then each call's
// id and name in its first delta and its arguments in as many pieces as asked, then
// finish_reason "tool_calls"; or reasoning and an answer.
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace moonpane::test {

struct StreamedCall
{
    QString id;
    QString name;
    QString arguments;
};

inline QByteArray sseChunk(const QJsonObject &delta, const QString &finish = {})
{
    QJsonObject choice {{QStringLiteral("index"), 0}, {QStringLiteral("delta"), delta}};
    if (!finish.isEmpty())
        choice.insert(QStringLiteral("finish_reason"), finish);
    const QJsonObject chunk {{QStringLiteral("id"), QStringLiteral("chatcmpl-test")},
                             {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
                             {QStringLiteral("model"), QStringLiteral("kimi-k2.6")},
                             {QStringLiteral("choices"), QJsonArray {choice}}};
    return "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n";
}

// A reply that reasons, then calls `calls`, each call's arguments split into `pieces` deltas.
inline QByteArray toolCallStream(const QString &reasoning, const QList<StreamedCall> &calls, int pieces = 1)
{
    QByteArray body = sseChunk({{QStringLiteral("role"), QStringLiteral("assistant")},
                                {QStringLiteral("reasoning_content"), reasoning}});
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const StreamedCall &call = calls.at(i);
        const QJsonObject head {
            {QStringLiteral("index"), int(i)},
            {QStringLiteral("id"), call.id},
            {QStringLiteral("type"), QStringLiteral("function")},
            {QStringLiteral("function"),
             QJsonObject {{QStringLiteral("name"), call.name}, {QStringLiteral("arguments"), QString()}}}};
        body += sseChunk({{QStringLiteral("tool_calls"), QJsonArray {head}}});
        const qsizetype size = call.arguments.size();
        const qsizetype step = std::max<qsizetype>(1, (size + pieces - 1) / std::max(1, pieces));
        for (qsizetype at = 0; at < size;) {
            qsizetype length = std::min(step, size - at);
            if (at + length < size && call.arguments.at(at + length - 1).isHighSurrogate())
                ++length; // a server splits between characters, not inside one
            const QJsonObject piece {
                {QStringLiteral("index"), int(i)},
                {QStringLiteral("function"),
                 QJsonObject {{QStringLiteral("arguments"), call.arguments.mid(at, length)}}}};
            body += sseChunk({{QStringLiteral("tool_calls"), QJsonArray {piece}}});
            at += length;
        }
    }
    body += sseChunk({}, QStringLiteral("tool_calls"));
    body += "data: [DONE]\n\n";
    return body;
}

// A reply that reasons, then answers `text`.
inline QByteArray answerStream(const QString &reasoning, const QString &text)
{
    QByteArray body = sseChunk({{QStringLiteral("role"), QStringLiteral("assistant")},
                                {QStringLiteral("reasoning_content"), reasoning}});
    body += sseChunk({{QStringLiteral("content"), text}});
    body += sseChunk({}, QStringLiteral("stop"));
    body += "data: [DONE]\n\n";
    return body;
}

} // namespace moonpane::test
