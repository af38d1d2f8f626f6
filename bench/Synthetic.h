// Deterministic synthetic content for the benchmarks: a Markdown reply shaped like a long model
// answer (paragraphs with inline code and bold, lists, tables, fenced code, headings, CJK and
// emoji) and conversations of many messages.
#pragma once

#include <QString>
#include <QStringList>

#include <memory>

namespace moonpane {
class Conversation;
}

namespace moonpane::bench {

// About `bytes` bytes of UTF-8 Markdown.
QString syntheticReply(qsizetype bytes, quint32 seed = 1);
// The reply cut into deltas of about five words (what a stream delivers).
QStringList intoDeltas(const QString &text);
// A conversation of `messages` messages of about `chars` characters each, alternating user and
// assistant; assistant replies carry reasoning and finished token counts.
std::unique_ptr<Conversation> syntheticConversation(int messages, int chars = 500, quint32 seed = 7);

} // namespace moonpane::bench
