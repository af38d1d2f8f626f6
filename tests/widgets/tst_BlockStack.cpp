// BlockStack: no text of any shape becomes one costly layout. A large table or block is shown in
// part with "Show all"; plain and code text is cut into bounded slices (a long line into
// pieces) that still copy and select as the text they came from; work beyond the budget's
// deadline is left for later and gives the same stack in the end; streaming gives the stack a
// whole text gives.
#include "BlockBounds.h"
#include "BlockStack.h"
#include "MessageStyle.h"

#include <QApplication>
#include <QLocale>
#include <QTest>

using namespace moonpane;
using namespace Qt::StringLiterals;

namespace {

QString table(int columns, int rows)
{
    QString text;
    for (int c = 0; c < columns; ++c)
        text += u"| h%1 "_s.arg(c);
    text += u"|\n"_s + QString(u"|---"_s).repeated(columns) + u"|\n"_s;
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < columns; ++c)
            text += u"| r%1c%2 "_s.arg(r).arg(c);
        text += u"|\n"_s;
    }
    return text;
}

QString longLine(qsizetype length)
{
    QString text;
    text.reserve(length);
    for (qsizetype i = 0; i < length; ++i)
        text += QChar(u'a' + static_cast<char16_t>(i % 26));
    return text;
}

// Feeds `text` in pieces as a stream would, then once more as finished.
void stream(BlockStack &stack, const QString &text, const MessageStyle &style, int pieceSize)
{
    StackBudget growing;
    growing.growing = true;
    for (qsizetype at = pieceSize; at < text.size() + pieceSize; at += pieceSize)
        stack.sync(text.left(std::min(at, text.size())), true, style, 600, growing);
    stack.sync(text, true, style, 600);
}

} // namespace

class TestBlockStack : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void smallTableStaysATable();
    void largeTableIsShownInPartUntilShowAll();
    void previewsSayWhatIsLeftOut();
    void largeBlocksOfEveryShapeAreBounded_data();
    void largeBlocksOfEveryShapeAreBounded();
    void longCodeLineIsSlicedButCopiesWhole();
    void longPlainLineSelectsWithoutBreaks();
    void unicodeIsNeverCutInHalf();
    void workBeyondTheDeadlineWaitsAndEndsTheSame();
    void theGrowingBlockIsAlwaysRendered();
    void streamingGivesWhatTheWholeTextGives_data();
    void streamingGivesWhatTheWholeTextGives();

private:
    MessageStyle m_style;
};

void TestBlockStack::init()
{
    m_style = MessageStyle::fromPalette(QApplication::palette(), QApplication::font());
}

void TestBlockStack::smallTableStaysATable()
{
    BlockStack stack(BlockStack::Mode::Markdown);
    stack.sync(u"Before\n\n"_s + table(5, 10) + u"\nAfter\n"_s, false, m_style, 600);
    QCOMPARE(stack.elidedCount(), 0);
    QCOMPARE(stack.blockCount(), 3);
    QVERIFY(!stack.hasPendingWork());
    QVERIFY(stack.plainText().contains(u"r9c4"_s));
    QVERIFY(stack.showAllButton().isNull());
}

void TestBlockStack::largeTableIsShownInPartUntilShowAll()
{
    const QString text = u"Results:\n\n"_s + table(50, 1000) + u"\nThat is all.\n"_s;
    BlockStack stack(BlockStack::Mode::Markdown);
    stack.sync(text, false, m_style, 600);
    QCOMPARE(stack.elidedCount(), 1);
    QCOMPARE(stack.blockCount(), 3); // the paragraphs around it are as they were
    QVERIFY(stack.plainText().contains(u"That is all."_s));
    QVERIFY(!stack.plainText().contains(u"r999c49"_s));
    QVERIFY(stack.largestRendered().document <= BlockStack::kMaxMarkdownChars);
    // The button says which block it shows.
    const QRect button = stack.showAllButton();
    QVERIFY(!button.isNull());
    const BlockStack::Hit hit = stack.hitTest(button.center());
    QCOMPARE(hit.showAllKey, text.indexOf(u"| h0"_s));
    const int partHeight = stack.height();

    QSet<qsizetype> expanded {hit.showAllKey};
    StackBudget whole;
    whole.expanded = &expanded;
    stack.sync(text, true, m_style, 600, whole);
    QCOMPARE(stack.elidedCount(), 0);
    QVERIFY(stack.blockCount() > 10); // as plain text, in slices
    QVERIFY(stack.height() > partHeight * 5);
    const QString shown = stack.plainText();
    QVERIFY(shown.contains(u"| r999c0 | r999c1 "_s));
    QVERIFY(shown.contains(table(50, 1000).trimmed()));
    QVERIFY(stack.largestRendered().document <= BlockStack::kSliceChars + 1);
}

void TestBlockStack::previewsSayWhatIsLeftOut()
{
    // A narrow table: its first rows, as a table.
    const BlockBounds::Preview narrow = BlockBounds::preview(table(5, 3000), 80);
    QVERIFY(narrow.markdown);
    QCOMPARE(narrow.text.count(u'\n') + 1, 2 + 20);
    const QLocale locale; // numbers read as the user's locale writes them
    QVERIFY2(narrow.note.contains(u"A table of %1 rows and 5 columns"_s.arg(locale.toString(3000)))
                 && narrow.note.contains(u"the first 20 rows are shown"_s),
             qPrintable(narrow.note));
    // A wide one: its lines as text, one to a line of the width.
    const BlockBounds::Preview wide = BlockBounds::preview(table(60, 100), 80);
    QVERIFY(!wide.markdown);
    for (const QString &line : wide.text.split(u'\n'))
        QVERIFY(line.size() <= 80);
    QVERIFY(wide.note.contains(u"60 columns"_s) && wide.note.contains(u"shown as text"_s));
    // One long line: its start, a few lines' worth.
    const BlockBounds::Preview line = BlockBounds::preview(longLine(300'000), 80);
    QVERIFY(line.text.endsWith(u'…') && line.text.size() == 4 * 80);
    QVERIFY2(line.note.contains(
                 u"A line of %1 characters (%2 KB)"_s.arg(locale.toString(300'000), locale.toString(300))),
             qPrintable(line.note));
    // Anything else too large: its first lines.
    const BlockBounds::Preview list =
        BlockBounds::preview(QString(u"- an item with **bold** text\n"_s).repeated(3000), 80);
    QCOMPARE(list.text.count(u'\n') + 1, 12);
    QVERIFY2(list.note.contains(u"of Markdown in one block"_s), qPrintable(list.note));
}

void TestBlockStack::largeBlocksOfEveryShapeAreBounded_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<BlockStack::Mode>("mode");
    const auto md = BlockStack::Mode::Markdown;
    QTest::newRow("wide table") << table(200, 300) << md;
    QTest::newRow("one line, no spaces") << longLine(300'000) << md;
    QTest::newRow("a line in a code fence") << u"```\n"_s + longLine(300'000) + u"\n```\n"_s << md;
    QTest::newRow("a long paragraph") << QString(u"Some **bold** and `code` words. "_s).repeated(2000) << md;
    QTest::newRow("a paragraph of many short lines")
        << QString(u"a line of **words** that Markdown joins to the next\n"_s).repeated(200) << md;
    // "2." cannot start a list after a paragraph: every one of these lines is more of it.
    QTest::newRow("numbers that go on a paragraph")
        << u"A paragraph.\n"_s + QString(u"2. not an item here, but more of the paragraph\n"_s).repeated(200)
        << md;
    QTest::newRow("a long list") << QString(u"- an item with **bold** text\n"_s).repeated(3000) << md;
    QTest::newRow("much code") << u"```cpp\n"_s + QString(u"int value = compute(1, 2);\n"_s).repeated(20'000)
            + u"```\n"_s << md;
    QTest::newRow("reasoning, one line") << longLine(200'000) << BlockStack::Mode::Plain;
}

void TestBlockStack::largeBlocksOfEveryShapeAreBounded()
{
    QFETCH(QString, text);
    QFETCH(BlockStack::Mode, mode);
    BlockStack stack(mode);
    stack.sync(text, false, m_style, 600);
    QVERIFY(!stack.hasPendingWork());
    const BlockStack::Extent extent = stack.largestRendered();
    QVERIFY2(extent.document <= BlockStack::kMaxMarkdownChars + 1,
             qPrintable(QString::number(extent.document)));
    QVERIFY2(extent.paragraph <= BlockStack::kMaxParagraphChars + 1,
             qPrintable(QString::number(extent.paragraph)));
    // Shown whole too, it stays bounded.
    if (const QRect button = stack.showAllButton(); !button.isNull()) {
        QSet<qsizetype> expanded {stack.hitTest(button.center()).showAllKey};
        StackBudget whole;
        whole.expanded = &expanded;
        stack.sync(text, true, m_style, 600, whole);
        QCOMPARE(stack.elidedCount(), 0);
        QVERIFY(stack.largestRendered().document <= BlockStack::kSliceChars + 1);
        QVERIFY(stack.largestRendered().paragraph <= BlockStack::kMaxLineChars + 1);
        QCOMPARE(stack.plainText(), text.endsWith(u'\n') ? text.chopped(1) : text); // the source, as it was
    }
}

void TestBlockStack::longCodeLineIsSlicedButCopiesWhole()
{
    const QString line = longLine(300'000);
    BlockStack stack(BlockStack::Mode::Markdown);
    stack.sync(u"```text\n"_s + line + u"\nsecond line\n```\n"_s, false, m_style, 600);
    QVERIFY(stack.blockCount() >= 150);
    QCOMPARE(stack.elidedCount(), 0); // code is never cut short, only cut up
    // The Copy button sits on the first slice and copies the code as it was.
    const BlockStack::Hit hit = stack.hitTest(QPoint(595, 8));
    QVERIFY(hit.copyCodeBlock >= 0);
    QCOMPARE(hit.copyCode, line + u"\nsecond line"_s);
}

void TestBlockStack::longPlainLineSelectsWithoutBreaks()
{
    const QString line = longLine(50'000);
    BlockStack stack(BlockStack::Mode::Plain);
    stack.sync(u"First.\n"_s + line + u"\nLast."_s, false, m_style, 600);
    QVERIFY(stack.blockCount() > 20);
    QCOMPARE(stack.plainText(), u"First.\n"_s + line + u"\nLast."_s);
}

void TestBlockStack::unicodeIsNeverCutInHalf()
{
    QString text;
    for (int i = 0; i < 5000; ++i)
        text += u"😀"_s; // two UTF-16 units each, 10,000 in all
    BlockStack stack(BlockStack::Mode::Plain);
    stack.sync(u"x"_s + text, false, m_style, 600); // odd offsets: every cut lands mid-pair unless moved
    QVERIFY(stack.blockCount() > 4);
    QCOMPARE(stack.plainText(), u"x"_s + text);
    QVERIFY(!stack.plainText().contains(QChar::ReplacementCharacter));
}

void TestBlockStack::workBeyondTheDeadlineWaitsAndEndsTheSame()
{
    QString text;
    for (int i = 0; i < 400; ++i)
        text += u"Paragraph %1 with **bold** and `code`.\n\n"_s.arg(i);
    BlockStack whole(BlockStack::Mode::Markdown);
    whole.sync(text, false, m_style, 600);

    BlockStack stack(BlockStack::Mode::Markdown);
    StackBudget none;
    none.deadline = QDeadlineTimer(0); // already over: nothing may be rendered now
    stack.sync(text, false, m_style, 600, none);
    QVERIFY(stack.hasPendingWork());
    QCOMPARE(stack.blockCount(), whole.blockCount());
    QVERIFY(stack.largestRendered().document == 0);
    QVERIFY(stack.height() > 0); // estimated
    stack.sync(text, true, m_style, 600); // the next sync, with time
    QVERIFY(!stack.hasPendingWork());
    QCOMPARE(stack.height(), whole.height());
    QCOMPARE(stack.plainText(), whole.plainText());
}

void TestBlockStack::theGrowingBlockIsAlwaysRendered()
{
    BlockStack stack(BlockStack::Mode::Markdown);
    StackBudget none;
    none.deadline = QDeadlineTimer(0);
    none.growing = true;
    stack.sync(u"Done.\n\nStill wri"_s, false, m_style, 600, none);
    QVERIFY(stack.hasPendingWork()); // "Done." waits
    QCOMPARE(stack.blockCount(), 2);
    QCOMPARE(stack.text({1, 0}, stack.end()), u"Still wri"_s);
    QCOMPARE(stack.largestRendered().document, u"Still wri"_s.size() + 1);
}

void TestBlockStack::streamingGivesWhatTheWholeTextGives_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("piece");
    QTest::newRow("mixed") << u"# Title\n\nSome text.\n\n- a\n- b\n\n```py\nx = 1\ny = 2\n```\n\nEnd."_s << 3;
    QTest::newRow("large table") << table(50, 200) << 97;
    // As the tail, the closing fence is code until its line ends; then the block is empty.
    QTest::newRow("an empty code block") << u"Before.\n\n```py\n```\n\nAfter.\n"_s << 3;
    QTest::newRow("long line") << longLine(30'000) << 211;
    // A list beyond the bounds, its last slice full, then a blank line of spaces: as the tail,
    // the list took that line in a slice of its own; finished, the list ends before it.
    QTest::newRow("a large list, then a paragraph")
        << QString(u"- an item of sixty-three characters, all of them exactly alike.\n"_s).repeated(192)
            + QString(20, u' ') + u"\nAfter.\n"_s
        << 50;
    // While it streams, the second line looks like the delimiter row of a 50-column table (too
    // wide to lay out as one); then it goes on with words: not a table after all.
    QTest::newRow("a table that was not") << table(50, 0).section(u'\n', 0, 0) + u"\n"_s
            + QString(u"|---"_s).repeated(50) + u"| and more words\n\nEnd.\n"_s
                                          << 37;
    QTest::newRow("long code line") << u"```\n"_s + longLine(30'000) + u"\n```\nafter\n"_s << 173;
}

void TestBlockStack::streamingGivesWhatTheWholeTextGives()
{
    QFETCH(QString, text);
    QFETCH(int, piece);
    BlockStack streamed(BlockStack::Mode::Markdown);
    stream(streamed, text, m_style, piece);
    // A large block that streamed in stays whole (it was watched as it came): compare with
    // the whole text shown whole.
    BlockStack whole(BlockStack::Mode::Markdown);
    whole.sync(text, false, m_style, 600);
    if (const QRect button = whole.showAllButton(); !button.isNull()) {
        QSet<qsizetype> expanded {whole.hitTest(button.center()).showAllKey};
        StackBudget all;
        all.expanded = &expanded;
        whole.sync(text, true, m_style, 600, all);
    }
    QVERIFY(!streamed.hasPendingWork());
    QCOMPARE(streamed.blockCount(), whole.blockCount());
    QCOMPARE(streamed.plainText(), whole.plainText());
    QCOMPARE(streamed.height(), whole.height());
}

QTEST_MAIN(TestBlockStack)
#include "tst_BlockStack.moc"
