#include "Synthetic.h"

#include "conversation/Conversation.h"

#include <QJsonObject>

#include <random>

using namespace Qt::StringLiterals;

namespace moonpane::bench {

namespace {

const QStringList kWords =
    QStringLiteral("the stream token buffer parser latency throughput request response model reasoning chunk "
                   "delta render layout "
                   "document widget socket server client header payload assistant message history context "
                   "window cache prompt "
                   "completion function argument weather forecast temperature city value result error "
                   "however therefore because "
                   "although consider first second finally then next check verify compute")
        .split(u' ');
const QStringList kCjk = {u"我们需要首先考虑这个问题。"_s, u"然后用户模型需要北京测试温度。"_s,
                          u"流式输出的解析数据结果。"_s};

class Writer
{
public:
    explicit Writer(quint32 seed)
        : m_random(seed)
    {
    }

    QString word()
    {
        QString w = kWords.at(pick(kWords.size()));
        switch (pick(14)) {
        case 0:
            return u"**"_s + w + u"**"_s;
        case 1:
            return u"`"_s + w + u"()`"_s;
        default:
            return w;
        }
    }

    QString sentence(int words)
    {
        QStringList parts;
        for (int i = 0; i < words; ++i)
            parts.append(word());
        QString s = parts.join(u' ');
        s[0] = s[0].toUpper();
        return s + u'.';
    }

    QString block()
    {
        switch (pick(10)) {
        case 0: {
            QString list;
            for (int i = 0; i < 3 + pick(4); ++i)
                list += u"- "_s + sentence(6 + pick(8)) + u'\n';
            return list;
        }
        case 1: {
            QString list;
            for (int i = 0; i < 3 + pick(3); ++i)
                list += QString::number(i + 1) + u". "_s + sentence(5 + pick(6)) + u'\n';
            return list;
        }
        case 2: {
            QString table = u"| city | temperature | note |\n|---|---|---|\n"_s;
            for (int i = 0; i < 3 + pick(4); ++i)
                table += u"| %1 | %2 °C | %3 |\n"_s.arg(kWords.at(pick(kWords.size())))
                             .arg(pick(35))
                             .arg(sentence(3));
            return table;
        }
        case 3: {
            QString code = u"```python\n"_s;
            for (int i = 0; i < 4 + pick(8); ++i)
                code += u"    result_%1 = compute(%2, value=%3)  # %4\n"_s.arg(i)
                            .arg(kWords.at(pick(kWords.size())))
                            .arg(pick(100))
                            .arg(kWords.at(pick(kWords.size())));
            return code + u"```\n"_s;
        }
        case 4:
            return u"## "_s + sentence(3 + pick(4)) + u'\n';
        case 5:
            return kCjk.at(pick(kCjk.size())) + sentence(10) + u" 🚀\n"_s;
        default: {
            QString paragraph;
            for (int i = 0; i < 2 + pick(4); ++i)
                paragraph += sentence(8 + pick(12)) + u' ';
            return paragraph.trimmed() + u'\n';
        }
        }
    }

    int pick(qsizetype n)
    {
        return static_cast<int>(std::uniform_int_distribution<qsizetype>(0, n - 1)(m_random));
    }

private:
    std::mt19937 m_random;
};

} // namespace

QString syntheticReply(qsizetype bytes, quint32 seed)
{
    Writer writer(seed);
    QString text;
    qsizetype utf8 = 0;
    while (utf8 < bytes) {
        const QString block = writer.block() + u'\n';
        utf8 += block.toUtf8().size();
        text += block;
    }
    return text;
}

QStringList replyShapes()
{
    return {u"mixed"_s, u"table"_s, u"wide-table"_s, u"line"_s, u"code-line"_s, u"paragraph"_s};
}

QString shapedReply(const QString &shape, qsizetype bytes)
{
    const auto table = [bytes](int columns) {
        QString text;
        for (int c = 0; c < columns; ++c)
            text += u"| col %1 "_s.arg(c);
        text += u"|\n"_s + QString(u"|---"_s).repeated(columns) + u"|\n"_s;
        for (int row = 0; text.size() < bytes; ++row) {
            for (int c = 0; c < columns; ++c)
                text += u"| r%1c%2 "_s.arg(row).arg(c);
            text += u"|\n"_s;
        }
        return text;
    };
    const auto line = [](qsizetype length) {
        QString text(length, Qt::Uninitialized);
        for (qsizetype i = 0; i < length; ++i)
            text[i] = QChar(u'a' + static_cast<char16_t>((i * 7 + i / 26) % 26));
        return text;
    };
    if (shape == "mixed"_L1)
        return syntheticReply(bytes);
    if (shape == "table"_L1)
        return table(50);
    if (shape == "wide-table"_L1)
        return table(200);
    if (shape == "line"_L1)
        return line(bytes);
    if (shape == "code-line"_L1)
        return u"```text\n"_s + line(bytes) + u"\n```\n"_s;
    if (shape == "paragraph"_L1) {
        Writer writer(3);
        QString text;
        while (text.size() < bytes)
            text += writer.sentence(12) + u' ';
        return text.trimmed() + u'\n';
    }
    return {};
}

QStringList intoDeltas(const QString &text)
{
    QStringList deltas;
    qsizetype start = 0;
    int words = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) == u' ' || text.at(i) == u'\n') {
            if (++words == 5) {
                deltas.append(text.mid(start, i + 1 - start));
                start = i + 1;
                words = 0;
            }
        } else if (i + 1 - start >= 200) { // a long run without a space still streams in pieces
            deltas.append(text.mid(start, i + 1 - start));
            start = i + 1;
            words = 0;
        }
    }
    if (start < text.size())
        deltas.append(text.mid(start));
    return deltas;
}

std::unique_ptr<Conversation> syntheticConversation(int messages, int chars, quint32 seed)
{
    auto conversation = std::make_unique<Conversation>();
    conversation->title = u"Benchmark"_s;
    Writer writer(seed);
    qint64 parent = 0;
    const QDateTime start = QDateTime::currentDateTimeUtc().addDays(-1);
    for (int i = 0; i < messages; ++i) {
        Message m;
        m.role = i % 2 ? Role::Assistant : Role::User;
        m.parentId = parent;
        m.createdAt = start.addSecs(i);
        while (m.content.size() < chars)
            m.content += writer.block() + u'\n';
        if (m.role == Role::Assistant) {
            m.reasoning = writer.sentence(40);
            m.hasReasoning = true;
            m.thinkingMs = 1200;
            m.firstTokenMs = 400;
            m.generationMs = 2000;
            m.usage = Usage::fromJson(QJsonObject {{u"prompt_tokens"_s, 1000 + i},
                                                   {u"completion_tokens"_s, 150},
                                                   {u"total_tokens"_s, 1150 + i},
                                                   {u"cached_tokens"_s, 900}});
            m.finishReason = u"stop"_s;
            m.model = u"kimi-k2.6"_s;
        }
        parent = conversation->add(m);
    }
    return conversation;
}

} // namespace moonpane::bench
