#include "TextDiff.h"

#include <QRegularExpression>

#include <vector>

using namespace Qt::StringLiterals;

namespace moonpane::TextDiff {

namespace {

void push(QList<DiffPiece> *out, DiffPiece::Op op, const QString &text)
{
    if (text.isEmpty())
        return;
    if (!out->isEmpty() && out->last().op == op)
        out->last().text += text;
    else
        out->append({op, text});
}

// A longest common subsequence of `a` and `b`, as the ops that walk both; false when the table
// would be larger than `maxCells` (then nothing is written).
bool lcs(const QStringList &a, const QStringList &b, qint64 maxCells,
         QList<std::pair<DiffPiece::Op, QString>> *ops)
{
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    if (qint64(n + 1) * qint64(m + 1) > maxCells)
        return false;
    // table[i][j]: the length of the LCS of a[i..] and b[j..]
    std::vector<quint32> table(size_t((n + 1) * (m + 1)), 0);
    const auto at = [m](qsizetype i, qsizetype j) { return size_t(i * (m + 1) + j); };
    for (qsizetype i = n - 1; i >= 0; --i) {
        for (qsizetype j = m - 1; j >= 0; --j)
            table[at(i, j)] = a.at(i) == b.at(j) ? table[at(i + 1, j + 1)] + 1
                                                 : std::max(table[at(i + 1, j)], table[at(i, j + 1)]);
    }
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n && j < m) {
        if (a.at(i) == b.at(j)) {
            ops->append({DiffPiece::Op::Same, a.at(i)});
            ++i;
            ++j;
        } else if (table[at(i + 1, j)] >= table[at(i, j + 1)]) {
            ops->append({DiffPiece::Op::Removed, a.at(i++)});
        } else {
            ops->append({DiffPiece::Op::Added, b.at(j++)});
        }
    }
    for (; i < n; ++i)
        ops->append({DiffPiece::Op::Removed, a.at(i)});
    for (; j < m; ++j)
        ops->append({DiffPiece::Op::Added, b.at(j)});
    return true;
}

QStringList lines(const QString &text)
{
    QStringList out;
    qsizetype from = 0;
    while (from < text.size()) {
        const qsizetype end = text.indexOf(u'\n', from);
        const qsizetype to = end < 0 ? text.size() : end + 1;
        out.append(text.mid(from, to - from)); // with its line break
        from = to;
    }
    return out;
}

// A changed block: its words compared, or replaced whole when too large.
void block(const QString &removed, const QString &added, QList<DiffPiece> *out)
{
    QList<std::pair<DiffPiece::Op, QString>> ops;
    if (!lcs(tokens(removed), tokens(added), kMaxTokenCells, &ops)) {
        push(out, DiffPiece::Op::Removed, removed);
        push(out, DiffPiece::Op::Added, added);
        return;
    }
    for (const auto &[op, text] : ops)
        push(out, op, text);
}

} // namespace

QStringList tokens(const QString &text)
{
    static const QRegularExpression token(u"[A-Za-z0-9_]+|\\s+|."_s,
                                          QRegularExpression::DotMatchesEverythingOption);
    QStringList out;
    for (auto it = token.globalMatch(text); it.hasNext();)
        out.append(it.next().captured());
    return out;
}

namespace {

// Blanks alone between two changes join them, so that "keep it short" against "say more" reads
// as one change rather than three: each run of changes becomes what was removed, then what was
// added.
QList<DiffPiece> joinChanges(const QList<DiffPiece> &pieces)
{
    QList<DiffPiece> out;
    QString removed;
    QString added;
    const auto flush = [&] {
        push(&out, DiffPiece::Op::Removed, removed);
        push(&out, DiffPiece::Op::Added, added);
        removed.clear();
        added.clear();
    };
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        const DiffPiece &piece = pieces.at(i);
        const bool blankBetween = piece.op == DiffPiece::Op::Same && piece.text.trimmed().isEmpty() && i > 0
            && i + 1 < pieces.size() && pieces.at(i - 1).op != DiffPiece::Op::Same
            && pieces.at(i + 1).op != DiffPiece::Op::Same;
        if (blankBetween) {
            removed += piece.text;
            added += piece.text;
        } else if (piece.op == DiffPiece::Op::Removed) {
            removed += piece.text;
        } else if (piece.op == DiffPiece::Op::Added) {
            added += piece.text;
        } else {
            flush();
            push(&out, DiffPiece::Op::Same, piece.text);
        }
    }
    flush();
    return out;
}

} // namespace

QList<DiffPiece> diff(const QString &before, const QString &after)
{
    QList<DiffPiece> out;
    if (before == after) {
        push(&out, DiffPiece::Op::Same, before);
        return out;
    }
    QList<std::pair<DiffPiece::Op, QString>> ops;
    if (!lcs(lines(before), lines(after), kMaxLineCells, &ops)) {
        block(before, after, &out);
        return out;
    }
    // Runs of removed and added lines are compared word by word.
    QString removed;
    QString added;
    const auto flush = [&] {
        if (!removed.isEmpty() || !added.isEmpty())
            block(removed, added, &out);
        removed.clear();
        added.clear();
    };
    for (const auto &[op, text] : ops) {
        switch (op) {
        case DiffPiece::Op::Same:
            flush();
            push(&out, DiffPiece::Op::Same, text);
            break;
        case DiffPiece::Op::Removed:
            removed += text;
            break;
        case DiffPiece::Op::Added:
            added += text;
            break;
        }
    }
    flush();
    return joinChanges(out);
}

} // namespace moonpane::TextDiff
