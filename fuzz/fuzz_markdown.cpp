// libFuzzer target: arbitrary text as a model's reply through BlockStack, the incremental
// Markdown renderer, fed whole and in pieces (the first byte picks their size, so blocks,
// fences, tables and UTF-16 pairs are cut at every kind of place). Checks what bounds the
// cost of a frame: no rendered document is larger than a block may be, no paragraph longer
// than a line may be; and that streaming gives the stack the whole text gives.
#include "BlockStack.h"
#include "MessageStyle.h"

#include <QApplication>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>

namespace {

QCoreApplication *application = nullptr;

// Says which promise broke, then stops (libFuzzer keeps the input).
void require(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz_markdown: %s\n", what);
        __builtin_trap();
    }
}

moonpane::MessageStyle &style()
{
    static moonpane::MessageStyle s =
        moonpane::MessageStyle::fromPalette(QApplication::palette(), QApplication::font());
    return s;
}

// Every large block shown whole, so that a stack fed in pieces and one fed whole compare.
void showAll(moonpane::BlockStack &stack, const QString &text, QSet<qsizetype> *expanded)
{
    for (int round = 0; round < 64 && stack.elidedCount() > 0; ++round) {
        expanded->insert(stack.hitTest(stack.showAllButton().center()).showAllKey);
        moonpane::StackBudget budget;
        budget.expanded = expanded;
        stack.sync(text, true, style(), 500, budget);
    }
}

void checkBounds(const moonpane::BlockStack &stack)
{
    const moonpane::BlockStack::Extent extent = stack.largestRendered();
    require(extent.document <= moonpane::BlockStack::kMaxMarkdownChars + 1, "a document beyond the bounds");
    require(extent.paragraph <= moonpane::BlockStack::kMaxParagraphChars + 1,
            "a paragraph beyond the bounds");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    // Never destroyed: torn down after main, Qt's per-thread font and event caches would
    // be left half freed; alive, everything stays reachable (and is not a leak).
    application = new QApplication(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const QString text =
        QString::fromUtf8(reinterpret_cast<const char *>(data + 1), static_cast<qsizetype>(size - 1));
    // Pieces of 1 to 97 characters, at most 100 of them (a long input streams in larger ones).
    const qsizetype step = std::max<qsizetype>(1 + data[0] % 97, text.size() / 100);

    moonpane::BlockStack whole(moonpane::BlockStack::Mode::Markdown);
    whole.sync(text, false, style(), 500);
    checkBounds(whole);
    (void)whole.plainText();

    moonpane::BlockStack streamed(moonpane::BlockStack::Mode::Markdown);
    moonpane::StackBudget growing;
    growing.growing = true;
    for (qsizetype at = step; at < text.size() + step; at += step) {
        streamed.sync(text.left(std::min(at, text.size())), true, style(), 500, growing);
        checkBounds(streamed);
    }
    streamed.sync(text, true, style(), 500);

    QSet<qsizetype> expandedWhole;
    QSet<qsizetype> expandedStreamed;
    showAll(whole, text, &expandedWhole);
    showAll(streamed, text, &expandedStreamed);
    checkBounds(whole);
    require(streamed.blockCount() == whole.blockCount(), "streaming gave other blocks than the whole text");
    require(streamed.plainText() == whole.plainText(), "streaming gave another text than the whole text");

    // Reasoning is plain text, sliced the same way.
    moonpane::BlockStack plain(moonpane::BlockStack::Mode::Plain);
    plain.sync(text, false, style(), 500);
    checkBounds(plain);
    return 0;
}
