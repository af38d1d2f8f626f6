// TextDiff: what changed between two texts, for comparing two branches' reasoning and answers.
// Lines are matched first (a longest common subsequence), then the words of the lines that
// differ, so a long text costs little where it agrees. Bounded: past kMaxLineCells line pairs, or
// kMaxTokenCells word pairs in one changed block, the block is reported as replaced whole.
// Pure: run it on a worker for long texts.
#pragma once

#include <QList>
#include <QString>

namespace moonpane {

struct DiffPiece
{
    enum class Op { Same, Removed, Added };
    Op op = Op::Same;
    QString text;
    friend bool operator==(const DiffPiece &, const DiffPiece &) = default;
};

namespace TextDiff {

inline constexpr qint64 kMaxLineCells = 4'000'000;
inline constexpr qint64 kMaxTokenCells = 250'000;

// The pieces that turn `before` into `after`, in order: Same pieces belong to both, Removed to
// `before` alone, Added to `after` alone. Neighbouring pieces of one kind are merged.
QList<DiffPiece> diff(const QString &before, const QString &after);
// Words, runs of white space, and single other characters (each CJK character is one).
QStringList tokens(const QString &text);

} // namespace TextDiff

} // namespace moonpane
