// Row heights with prefix sums (a Fenwick tree): the offset of a row and the row at an offset
// in O(log n), and a height change in O(log n), so a streaming row costs the same in a
// conversation of ten messages or ten thousand.
#pragma once

#include <QtGlobal>

#include <vector>

namespace moonpane {

class HeightIndex final
{
public:
    void reset(std::vector<int> heights);
    void set(int row, int height);
    int height(int row) const { return m_heights[static_cast<size_t>(row)]; }
    int size() const { return static_cast<int>(m_heights.size()); }
    qint64 offset(int row) const; // total height of the rows before `row`
    qint64 total() const { return offset(size()); }
    int rowAt(qint64 y) const; // the row that contains y; clamped to the rows that exist

private:
    std::vector<int> m_heights;
    std::vector<qint64> m_tree; // 1-based Fenwick tree
};

} // namespace moonpane
