// Exporter writes conversations out for people and for other tools, and reads Moonpane's own
// export back:
//   - Markdown: the active path, thinking in collapsible <details> sections;
//   - wire JSON: the `messages` array of the active path exactly as the API takes it (send it
//     back with `moonpane-cli chat --history`), media inline as data URIs or left out;
//   - a ConversationRecord as one JSON object (a line of the JSON Lines export of everything):
//     {"id","title","created_at","updated_at","system_prompt","parameters","draft",
//      "active_leaf","messages":[wire-format message + "id","parent_id","state",...]},
//     every branch included, parents before their children, media inline. Ids are strings.
#pragma once

#include "conversation/Conversation.h"

#include <QJsonObject>

namespace moonpane {

// How one conversation is exported: Markdown, or its wire messages with media inline or left out.
enum class ExportFormat { Markdown, Json, JsonWithMedia };

// A conversation with all its messages, as exported and imported.
struct ConversationRecord
{
    qint64 id = 0;
    QString title;
    QDateTime createdAt;
    QDateTime updatedAt;
    QString systemPrompt;
    std::optional<ChatParameters> parameters;
    QString draft;
    QList<AttachedMedia> draftMedia; // not exported: what a draft of this machine holds
    bool autoTitle = false; // the title is Moonpane's, to be taken from the first message
    qint64 activeLeaf = 0;
    QList<Message> messages; // parents before children, siblings oldest first
};

namespace Exporter {

QString markdown(Conversation &conversation);
QByteArray wireJson(Conversation &conversation, bool inlineMedia);

// Orders messages so that each parent comes before its children (siblings keep their order);
// a message whose parent is missing becomes a first message.
QList<Message> parentsFirst(const QList<Message> &messages);

QJsonObject toJson(const ConversationRecord &record);
// Reads one exported conversation; on failure returns false and says why in *error.
bool fromJson(const QJsonValue &value, ConversationRecord *out, QString *error);

} // namespace Exporter

} // namespace moonpane
