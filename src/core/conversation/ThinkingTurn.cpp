#include "ThinkingTurn.h"

#include <QCoreApplication>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ThinkingTurn", text);
}

qint64 estimate(qint64 characters)
{
    return characters <= 0 ? 0 : std::max<qint64>(1, characters / ThinkingTurn::kCharsPerToken);
}

QString seconds(qint64 ms)
{
    return ms < 100 ? tr("under 0.1 s") : tr("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1));
}

QString quoted(const QString &text)
{
    QStringList lines = text.split(u'\n');
    for (QString &line : lines)
        line = line.isEmpty() ? u">"_s : u"> "_s + line;
    return lines.join(u'\n');
}

} // namespace

std::optional<double> ThinkingTurn::thinkingRate() const
{
    if (thinkingMs < 250 || reasoningTokens <= 0)
        return std::nullopt;
    return double(reasoningTokens) * 1000.0 / double(thinkingMs);
}

std::optional<double> ThinkingTurn::answeringRate() const
{
    if (answeringMs < 250 || answerTokens <= 0)
        return std::nullopt;
    return double(answerTokens) * 1000.0 / double(answeringMs);
}

QList<qint64> ThinkingTurn::turnStarts(const Conversation &conversation)
{
    QList<qint64> starts;
    for (const qint64 id : conversation.path()) {
        const Message *m = conversation.message(id);
        if (m && m->role == Role::User)
            starts.append(id);
    }
    return starts;
}

ThinkingTurn ThinkingTurn::of(const Conversation &conversation, qint64 messageId)
{
    ThinkingTurn turn;
    const QList<qint64> &path = conversation.path();
    const qsizetype at = path.indexOf(messageId);
    if (at < 0)
        return turn;
    qsizetype start = at;
    while (start >= 0) {
        const Message *m = conversation.message(path.at(start));
        if (m && m->role == Role::User)
            break;
        --start;
    }
    if (start < 0)
        start = 0; // a conversation that begins with a reply (an import): from the start
    else
        turn.userId = path.at(start);
    for (qsizetype i = start; i < path.size(); ++i) {
        const Message *m = conversation.message(path.at(i));
        if (!m)
            continue;
        if (m->role == Role::User) {
            if (i != start)
                break; // the next turn
            continue;
        }
        if (!m->textLoaded)
            turn.incomplete = true;
        if (m->role == Role::Tool) {
            ThinkingSegment result;
            result.kind = ThinkingSegment::Kind::ToolResult;
            result.messageId = m->id;
            result.round = turn.rounds;
            result.label = m->name;
            result.characters = m->content.size();
            turn.segments.append(result);
            continue;
        }
        if (m->role != Role::Assistant)
            continue;
        ++turn.rounds;
        // The server's count of reasoning tokens (-1: it gave none).
        const qint64 reported = m->usage && m->usage->reasoningTokens ? *m->usage->reasoningTokens : -1;
        if (m->hasReasoning || !m->reasoning.isEmpty()) {
            ThinkingSegment reasoning;
            reasoning.kind = ThinkingSegment::Kind::Reasoning;
            reasoning.messageId = m->id;
            reasoning.round = turn.rounds;
            reasoning.ms = m->thinkingMs;
            reasoning.characters = m->reasoning.size();
            reasoning.estimated = reported < 0;
            reasoning.tokens =
                reported >= 0 ? reported : (m->textLoaded ? estimate(reasoning.characters) : -1);
            turn.segments.append(reasoning);
            turn.thinkingMs += std::max<qint64>(0, m->thinkingMs);
            turn.reasoningTokens += std::max<qint64>(0, reasoning.tokens);
            turn.reasoningEstimated |= reasoning.estimated;
        }
        for (int c = 0; c < m->toolCalls.size(); ++c) {
            ThinkingSegment call;
            call.kind = ThinkingSegment::Kind::ToolCall;
            call.messageId = m->id;
            call.round = turn.rounds;
            call.toolIndex = c;
            call.label = m->toolCalls.at(c).name;
            call.characters = m->toolCalls.at(c).arguments.size();
            turn.segments.append(call);
        }
        // The answer (text beside tool calls only when there is some: a stray blank is not one).
        if (!m->content.trimmed().isEmpty() || (m->toolCalls.isEmpty() && !m->textLoaded)) {
            ThinkingSegment answer;
            answer.kind = ThinkingSegment::Kind::Answer;
            answer.messageId = m->id;
            answer.round = turn.rounds;
            answer.characters = m->content.size();
            // Answering: from the first token to the end, less the thinking.
            if (m->generationMs >= 0)
                answer.ms = std::max<qint64>(0, m->generationMs - std::max<qint64>(0, m->thinkingMs));
            if (m->usage && m->usage->completionTokens > 0 && reported >= 0) {
                answer.tokens = std::max<qint64>(0, m->usage->completionTokens - reported);
            } else if (m->usage && m->usage->completionTokens > 0 && !m->hasReasoning) {
                answer.tokens = m->usage->completionTokens; // nothing else it could be
            } else {
                answer.tokens = m->textLoaded ? estimate(answer.characters) : -1;
                answer.estimated = true;
            }
            turn.segments.append(answer);
            turn.answeringMs += std::max<qint64>(0, answer.ms);
            turn.answerTokens += std::max<qint64>(0, answer.tokens);
            turn.answerEstimated |= answer.estimated;
        }
    }
    return turn;
}

QString ThinkingTurn::markdown(const Conversation &conversation) const
{
    QStringList out;
    if (const Message *user = conversation.message(userId))
        out << u"# "_s + tr("Thinking") << quoted(user->content);
    for (const ThinkingSegment &segment : segments) {
        const Message *m = conversation.message(segment.messageId);
        if (!m)
            continue;
        switch (segment.kind) {
        case ThinkingSegment::Kind::Reasoning: {
            QString heading = u"## "_s + tr("Round %1: reasoning").arg(segment.round);
            QStringList figures;
            if (segment.ms >= 0)
                figures << tr("%1").arg(seconds(segment.ms));
            if (segment.tokens >= 0)
                figures << (segment.estimated ? tr("≈%1 tokens (estimated)") : tr("%1 tokens"))
                               .arg(segment.tokens);
            if (!figures.isEmpty())
                heading += u" ("_s + figures.join(u", "_s) + u')';
            out << heading << (m->reasoning.isEmpty() ? tr("_(not loaded)_") : quoted(m->reasoning));
            break;
        }
        case ThinkingSegment::Kind::ToolCall:
            out << u"- "_s
                    + tr("Calls `%1` with `%2`")
                          .arg(segment.label, m->toolCalls.value(segment.toolIndex).arguments);
            break;
        case ThinkingSegment::Kind::ToolResult:
            out << u"- "_s + tr("`%1` returned: %2").arg(segment.label, m->content.left(500).simplified());
            break;
        case ThinkingSegment::Kind::Answer:
            out << u"## "_s + tr("Answer") << m->content;
            break;
        }
    }
    return out.join(u"\n\n"_s) + u'\n';
}

ThinkingBranch ThinkingBranch::from(const Conversation &conversation, qint64 replyId, const QString &label)
{
    ThinkingBranch branch;
    branch.replyId = replyId;
    branch.label = label;
    QStringList reasoning;
    for (qint64 id = replyId; id;) {
        const Message *m = conversation.message(id);
        if (!m || m->role == Role::User)
            break;
        branch.messageIds.append(id);
        branch.loaded &= m->textLoaded;
        if (m->role == Role::Assistant) {
            if (!m->reasoning.isEmpty())
                reasoning.append(m->reasoning);
            if (!m->content.trimmed().isEmpty())
                branch.answer = m->content; // the last words of the turn
        }
        const QList<qint64> next = conversation.children(id);
        id = next.isEmpty() ? 0 : next.constLast();
        // On the active path, follow it rather than the newest child.
        for (const qint64 child : next) {
            if (conversation.path().contains(child))
                id = child;
        }
    }
    branch.reasoning = reasoning.join(u"\n\n"_s);
    return branch;
}

ThinkingBranch ThinkingBranch::shown(const Conversation &conversation, qint64 userId)
{
    const qsizetype at = conversation.path().indexOf(userId);
    const qint64 reply = at >= 0 && at + 1 < conversation.path().size() ? conversation.path().at(at + 1) : 0;
    return from(conversation, reply, tr("This branch"));
}

QList<ThinkingBranch> ThinkingBranch::alternatives(const Conversation &conversation, qint64 userId)
{
    QList<ThinkingBranch> out;
    const ThinkingBranch current = shown(conversation, userId);
    // Replies regenerated beside this one.
    const QList<qint64> replies = conversation.children(userId);
    for (qsizetype i = 0; i < replies.size(); ++i) {
        if (replies.at(i) != current.replyId)
            out.append(from(conversation, replies.at(i),
                            tr("Reply %1 of %2 to this question").arg(i + 1).arg(replies.size())));
    }
    // Replies to edited versions of the question.
    const QList<qint64> questions = conversation.siblings(userId);
    for (qsizetype i = 0; i < questions.size(); ++i) {
        if (questions.at(i) == userId)
            continue;
        const QList<qint64> answers = conversation.children(questions.at(i));
        if (!answers.isEmpty())
            out.append(
                from(conversation, answers.constLast(),
                     tr("Reply to version %1 of %2 of the question").arg(i + 1).arg(questions.size())));
    }
    return out;
}

bool ThinkingBranch::hasAlternatives(const Conversation &conversation, qint64 userId)
{
    if (conversation.children(userId).size() > 1)
        return true;
    const QList<qint64> questions = conversation.siblings(userId);
    return std::any_of(questions.cbegin(), questions.cend(), [&](qint64 question) {
        return question != userId && !conversation.children(question).isEmpty();
    });
}

PreservedThinking PreservedThinking::of(const Conversation &conversation, const ChatParameters &parameters)
{
    PreservedThinking preserved;
    preserved.enabled = parameters.thinkingEnabled() && parameters.keepThinking;
    if (!preserved.enabled)
        return preserved;
    for (const qint64 id : conversation.path()) {
        const Message *m = conversation.message(id);
        if (!m || m->role != Role::Assistant || !(m->hasReasoning || !m->reasoning.isEmpty()))
            continue;
        preserved.messageIds.append(id);
        preserved.characters += m->reasoning.size();
        if (m->usage && m->usage->reasoningTokens) {
            preserved.tokens += *m->usage->reasoningTokens;
        } else {
            preserved.tokens += estimate(m->reasoning.size());
            preserved.estimated = true;
        }
    }
    return preserved;
}

} // namespace moonpane
