#include "MediaPolicy.h"

#include "JsonWriter.h"
#include "RequestBody.h"

#include <QCoreApplication>
#include <QLocale>

namespace moonpane::MediaPolicy {

namespace {

qint64 bytesOf(const ContentPart &part)
{
    if (part.isStoredFile())
        return part.media.bytes;
    const qsizetype comma = part.url.indexOf(',');
    return part.url.startsWith("data:") && comma > 0 ? (part.url.size() - comma - 1) / 4 * 3 : -1;
}

} // namespace

QString omission(const ContentPart &part)
{
    const bool video = part.kind == ContentPart::Kind::Video;
    const QString name = part.isStoredFile() && !part.media.name.isEmpty() ? part.media.name : QString();
    const qint64 bytes = bytesOf(part);
    QString what = name;
    if (bytes >= 0) {
        const QString size = QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
        what = what.isEmpty() ? size : what + QLatin1String(", ") + size;
    }
    if (video)
        return what.isEmpty() ? QCoreApplication::translate("MediaPolicy", "[video omitted]")
                              : QCoreApplication::translate("MediaPolicy", "[video omitted: %1]").arg(what);
    return what.isEmpty() ? QCoreApplication::translate("MediaPolicy", "[image omitted]")
                          : QCoreApplication::translate("MediaPolicy", "[image omitted: %1]").arg(what);
}

int turnsAgo(const QList<ChatMessage> &messages, qsizetype index)
{
    int after = 0;
    for (qsizetype i = index + 1; i < messages.size(); ++i)
        after += messages.at(i).role == Role::User ? 1 : 0;
    return after;
}

QStringList keepTurns(QList<ChatMessage> &messages, int turns)
{
    QStringList leftOut; // oldest first
    if (turns <= 0)
        return leftOut;
    const qsizetype users = std::count_if(messages.cbegin(), messages.cend(),
                                          [](const ChatMessage &m) { return m.role == Role::User; });
    qsizetype seen = 0;
    for (ChatMessage &message : messages) {
        if (message.role != Role::User)
            continue;
        const qsizetype after = users - 1 - seen++;
        if (after < turns)
            break;
        for (ContentPart &part : message.parts) {
            if (!part.isText()) {
                leftOut.append(omission(part));
                part = ContentPart::fromText(leftOut.constLast());
            }
        }
    }
    return leftOut;
}

bool leaveOutOldest(QList<ChatMessage> &messages, QString *what, ContentPart *before)
{
    qsizetype lastUser = -1;
    for (qsizetype i = messages.size() - 1; i >= 0 && lastUser < 0; --i) {
        if (messages.at(i).role == Role::User)
            lastUser = i;
    }
    for (qsizetype i = 0; i < lastUser; ++i) {
        ChatMessage &message = messages[i];
        if (message.role != Role::User)
            continue;
        for (ContentPart &part : message.parts) {
            if (!part.isText()) {
                *what = omission(part);
                if (before)
                    *before = part;
                part = ContentPart::fromText(*what);
                return true;
            }
        }
    }
    return false;
}

qint64 partSize(const ContentPart &part)
{
    RequestBody body;
    {
        JsonWriter writer(&body);
        part.write(writer);
    }
    return body.size();
}

qint64 leaveOutToFit(ChatRequest &request, qint64 limit, QStringList *leftOut)
{
    qint64 size = request.toBody().size();
    QString what;
    ContentPart before;
    while (size > limit && leaveOutOldest(request.messages, &what, &before)) {
        size += partSize(ContentPart::fromText(what)) - partSize(before);
        leftOut->append(what);
    }
    return size;
}

} // namespace moonpane::MediaPolicy
