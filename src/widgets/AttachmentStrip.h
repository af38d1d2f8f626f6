// The attachments above the composer, as chips: a thumbnail (a video's first frame with its
// length), the name, and the size that goes out ("4.1 MB → 620 KB" when an image is sent scaled
// down). A chip is removed with its ×, dragged sideways to another place, clicked to look at it
// larger; its context menu also switches between the scaled copy and the original. Imports on
// their way show as chips that say so. Hidden while there is nothing attached.
#pragma once

#include <QWidget>

namespace moonpane {

class AttachmentModel;

class AttachmentStrip final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kChipWidth = 196;
    static constexpr int kChipHeight = 60;

    explicit AttachmentStrip(AttachmentModel *model, QWidget *parent = nullptr);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    // Where a chip and its remove button are (tests drive the strip with the mouse).
    QRect chipRect(int row) const;
    QRect removeRect(int row) const;
    int scrollOffset() const { return m_scroll; }

signals:
    void previewRequested(int row);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    int rowAt(QPoint point) const;
    int insertionAt(int x) const; // where a dragged chip would go
    void paintChip(QPainter &painter, int row, const QRect &rect) const;
    void updateVisibility();
    void scrollBy(int dx);
    int contentWidth() const;

    AttachmentModel *m_model;
    int m_scroll = 0; // horizontal, when the chips are wider than the strip
    int m_hovered = -1;
    bool m_hoveringRemove = false;
    int m_pressed = -1;
    QPoint m_pressPoint;
    bool m_dragging = false;
    int m_dropAt = -1; // while dragging: the insertion point
};

} // namespace moonpane
