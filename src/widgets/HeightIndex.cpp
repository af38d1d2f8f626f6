#include "HeightIndex.h"

namespace moonpane {

void HeightIndex::reset(std::vector<int> heights)
{
    m_heights = std::move(heights);
    const size_t n = m_heights.size();
    m_tree.assign(n + 1, 0);
    for (size_t i = 1; i <= n; ++i) {
        m_tree[i] += m_heights[i - 1];
        const size_t parent = i + (i & (~i + 1));
        if (parent <= n)
            m_tree[parent] += m_tree[i];
    }
}

void HeightIndex::set(int row, int height)
{
    const auto index = static_cast<size_t>(row);
    const qint64 delta = height - m_heights[index];
    if (delta == 0)
        return;
    m_heights[index] = height;
    for (size_t i = index + 1; i < m_tree.size(); i += i & (~i + 1))
        m_tree[i] += delta;
}

qint64 HeightIndex::offset(int row) const
{
    qint64 sum = 0;
    for (size_t i = static_cast<size_t>(row); i > 0; i -= i & (~i + 1))
        sum += m_tree[i];
    return sum;
}

int HeightIndex::rowAt(qint64 y) const
{
    const size_t n = m_heights.size();
    if (n == 0)
        return -1;
    // Largest prefix whose sum is <= y: that many rows lie wholly above y.
    size_t position = 0;
    size_t step = 1;
    while (step * 2 <= n)
        step *= 2;
    for (; step > 0; step /= 2) {
        if (position + step <= n && m_tree[position + step] <= y) {
            position += step;
            y -= m_tree[position];
        }
    }
    return static_cast<int>(std::min(position, n - 1));
}

} // namespace moonpane
