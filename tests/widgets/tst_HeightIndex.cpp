// HeightIndex against plain prefix sums, under random changes.
#include "HeightIndex.h"

#include <QTest>

#include <numeric>
#include <random>

using namespace moonpane;

class TestHeightIndex : public QObject
{
    Q_OBJECT

private slots:
    void matchesPrefixSums();
    void empty();
};

void TestHeightIndex::matchesPrefixSums()
{
    std::mt19937 random(11);
    for (int size : {1, 2, 3, 7, 64, 1000, 1023}) {
        std::vector<int> heights(static_cast<size_t>(size));
        std::uniform_int_distribution<int> height(0, 300);
        for (int &h : heights)
            h = height(random);
        HeightIndex index;
        index.reset(heights);
        for (int round = 0; round < 200; ++round) {
            const int row = std::uniform_int_distribution<int>(0, size - 1)(random);
            heights[static_cast<size_t>(row)] = height(random);
            index.set(row, heights[static_cast<size_t>(row)]);
            qint64 sum = 0;
            for (int r = 0; r <= size; ++r) {
                QCOMPARE(index.offset(r), sum);
                if (r < size)
                    sum += heights[static_cast<size_t>(r)];
            }
            QCOMPARE(index.total(), sum);
            // rowAt(y) is the row whose span [offset, offset + height) holds y (zero-height rows are
            // skipped).
            const qint64 y = std::uniform_int_distribution<qint64>(0, std::max<qint64>(0, sum - 1))(random);
            const int at = index.rowAt(y);
            if (sum > 0) {
                QVERIFY(index.offset(at) <= y);
                QVERIFY(y < index.offset(at) + index.height(at));
            }
        }
        QCOMPARE(index.rowAt(-5), 0);
        QCOMPARE(index.rowAt(1'000'000'000), size - 1);
    }
}

void TestHeightIndex::empty()
{
    HeightIndex index;
    index.reset({});
    QCOMPARE(index.total(), 0);
    QCOMPARE(index.rowAt(0), -1);
}

QTEST_GUILESS_MAIN(TestHeightIndex)
#include "tst_HeightIndex.moc"
