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
// A reply of about `bytes` bytes in one of the shapes a hostile or careless model can send:
// "mixed" (syntheticReply), "table" (50 columns, as many rows as it takes), "wide-table" (200
// columns), "line" (one line without a space), "code-line" (that line in a fenced code block),
// "paragraph" (one paragraph with bold and inline code, no blank line). Empty for an unknown shape.
QString shapedReply(const QString &shape, qsizetype bytes);
QStringList replyShapes();
// The reply cut into deltas of about five words (what a stream delivers), or 200 characters
// where there is no space for that long.
QStringList intoDeltas(const QString &text);
// A conversation of `messages` messages of about `chars` characters each, alternating user and
// assistant; assistant replies carry reasoning and finished token counts.
std::unique_ptr<Conversation> syntheticConversation(int messages, int chars = 500, quint32 seed = 7);

} // namespace moonpane::bench
