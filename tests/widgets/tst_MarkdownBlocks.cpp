// MarkdownBlocks: where a growing reply splits into blocks, and that feeding it a character at a
// time gives the same blocks as feeding it whole.
#include "MarkdownBlocks.h"

#include <QTest>

using namespace moonpane;
using namespace Qt::StringLiterals;

namespace {

// The finished blocks' sources, then "tail:" and the open tail.
QStringList split(const QString &text, const MarkdownBlocks &blocks)
{
    QStringList out;
    for (const MarkdownBlocks::Block &block : blocks.finished())
        out.append((block.code ? u"code[%1]:"_s.arg(block.language) : QString())
                   + text.mid(block.start, block.end - block.start));
    out.append(u"tail:"_s + text.mid(blocks.tailStart()));
    return out;
}

QStringList splitWhole(const QString &text)
{
    MarkdownBlocks blocks;
    blocks.update(text);
    return split(text, blocks);
}

} // namespace

class TestMarkdownBlocks : public QObject
{
    Q_OBJECT

private slots:
    void splits_data();
    void splits();
    void growingTextGivesTheSameBlocks_data() { splits_data(); }
    void growingTextGivesTheSameBlocks();
    void codeTail();
    void codeOf();
};

void TestMarkdownBlocks::splits_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("paragraphs") << u"one\ntwo\n\nthree\n\nfour"_s
                                << QStringList {u"one\ntwo\n"_s, u"three\n"_s, u"tail:four"_s};
    QTest::newRow("heading is its own block")
        << u"# Title\nbody\n## Sub\nmore\n"_s
        << QStringList {u"# Title\n"_s, u"body\n"_s, u"## Sub\n"_s, u"tail:more\n"_s};
    QTest::newRow("fence with blank lines inside")
        << u"text\n```cpp\nint a;\n\nint b;\n```\nafter\n"_s
        << QStringList {u"text\n"_s, u"code[cpp]:```cpp\nint a;\n\nint b;\n```\n"_s, u"tail:after\n"_s};
    QTest::newRow("tilde fence, longer close")
        << u"~~~\nx\n~~~~\n"_s << QStringList {u"code[]:~~~\nx\n~~~~\n"_s, u"tail:"_s};
    QTest::newRow("backtick fence needs a backtick close")
        << u"```\na\n~~~\nb\n```\n"_s << QStringList {u"code[]:```\na\n~~~\nb\n```\n"_s, u"tail:"_s};
    QTest::newRow("inline backticks are not a fence")
        << u"```a`b```\nx\n\n"_s << QStringList {u"```a`b```\nx\n"_s, u"tail:"_s};
    QTest::newRow("ordered list stays whole across blank lines")
        << u"1. a\n\n2. b\n   more\n\n3. c\n\nAfter.\n"_s
        << QStringList {u"1. a\n\n2. b\n   more\n\n3. c\n"_s, u"tail:After.\n"_s};
    QTest::newRow("bullets with indented continuation")
        << u"- a\n\n  still a\n- b\n\nnext\n"_s
        << QStringList {u"- a\n\n  still a\n- b\n"_s, u"tail:next\n"_s};
    QTest::newRow("table") << u"| a | b |\n|---|---|\n| 1 | 2 |\n\nend"_s
                           << QStringList {u"| a | b |\n|---|---|\n| 1 | 2 |\n"_s, u"tail:end"_s};
    QTest::newRow("unclosed fence is the tail")
        << u"intro\n\n```py\nprint(1)\n"_s << QStringList {u"intro\n"_s, u"tail:```py\nprint(1)\n"_s};
    QTest::newRow("crlf blank lines") << u"a\r\n\r\nb"_s << QStringList {u"a\r\n"_s, u"tail:b"_s};
    QTest::newRow("empty") << QString() << QStringList {u"tail:"_s};
}

void TestMarkdownBlocks::splits()
{
    QFETCH(QString, text);
    QFETCH(QStringList, expected);
    QCOMPARE(splitWhole(text), expected);
}

void TestMarkdownBlocks::growingTextGivesTheSameBlocks()
{
    QFETCH(QString, text);
    MarkdownBlocks blocks;
    for (qsizetype n = 0; n <= text.size(); ++n)
        blocks.update(text.left(n));
    QCOMPARE(split(text, blocks), splitWhole(text));
}

void TestMarkdownBlocks::codeTail()
{
    MarkdownBlocks blocks;
    const QString text = u"Here:\n\n```python\nfor i in range(3):\n    pri"_s;
    blocks.update(text);
    QVERIFY(blocks.tailIsCode());
    QCOMPARE(blocks.tailLanguage(), u"python"_s);
    QCOMPARE(text.mid(blocks.tailCodeStart()), u"for i in range(3):\n    pri"_s);
    blocks.update(text + u"nt(i)\n```\n"_s);
    QVERIFY(!blocks.tailIsCode());
    QCOMPARE(blocks.finished().size(), 2);
}

void TestMarkdownBlocks::codeOf()
{
    const QString text = u"```js\nconst a = 1;\n\nconst b = 2;\n```\n"_s;
    MarkdownBlocks blocks;
    blocks.update(text);
    QCOMPARE(MarkdownBlocks::codeOf(text, blocks.finished().value(0)), u"const a = 1;\n\nconst b = 2;"_s);
    const QString empty = u"```\n```\n"_s;
    MarkdownBlocks none;
    none.update(empty);
    QCOMPARE(MarkdownBlocks::codeOf(empty, none.finished().value(0)), QString());
}

QTEST_GUILESS_MAIN(TestMarkdownBlocks)
#include "tst_MarkdownBlocks.moc"
