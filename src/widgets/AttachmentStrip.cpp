#include "AttachmentStrip.h"

#include "media/AttachmentModel.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

constexpr int kSpacing = 8;
constexpr int kThumb = 48;
constexpr int kRemove = 18;

QString sizeText(qint64 bytes)
{
    return bytes < 0 ? QString() : QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

QString durationText(qint64 ms)
{
    if (ms < 0)
        return {};
    const qint64 seconds = (ms + 500) / 1000;
    return u"%1:%2"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QChar(u'0'));
}

} // namespace

AttachmentStrip::AttachmentStrip(AttachmentModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    setObjectName(u"attachmentStrip"_s);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    const auto changed = [this] {
        updateVisibility();
        update();
    };
    connect(m_model, &QAbstractItemModel::rowsInserted, this, changed);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, changed);
    connect(m_model, &QAbstractItemModel::rowsMoved, this, changed);
    connect(m_model, &QAbstractItemModel::modelReset, this, changed);
    connect(m_model, &QAbstractItemModel::dataChanged, this, qOverload<>(&QWidget::update));
    updateVisibility();
}

QSize AttachmentStrip::sizeHint() const
{
    return {contentWidth(), kChipHeight + 8};
}

QSize AttachmentStrip::minimumSizeHint() const
{
    return {kChipWidth / 2, kChipHeight + 8};
}

int AttachmentStrip::contentWidth() const
{
    const int count = m_model->rowCount();
    return count == 0 ? 0 : count * kChipWidth + (count - 1) * kSpacing;
}

void AttachmentStrip::updateVisibility()
{
    setVisible(m_model->rowCount() > 0);
    scrollBy(0);
    updateGeometry();
}

void AttachmentStrip::scrollBy(int dx)
{
    const int most = std::max(0, contentWidth() - width());
    m_scroll = std::clamp(m_scroll + dx, 0, most);
    update();
}

void AttachmentStrip::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    scrollBy(0);
}

QRect AttachmentStrip::chipRect(int row) const
{
    if (row < 0 || row >= m_model->rowCount())
        return {};
    const int x = row * (kChipWidth + kSpacing) - m_scroll;
    return QRect(layoutDirection() == Qt::RightToLeft ? width() - x - kChipWidth : x, 4, kChipWidth,
                 kChipHeight);
}

QRect AttachmentStrip::removeRect(int row) const
{
    const QRect chip = chipRect(row);
    return chip.isNull() ? QRect() : QRect(chip.right() - kRemove - 3, chip.top() + 3, kRemove, kRemove);
}

int AttachmentStrip::rowAt(QPoint point) const
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (chipRect(row).contains(point))
            return row;
    }
    return -1;
}

int AttachmentStrip::insertionAt(int x) const
{
    const int count = m_model->rowCount() - m_model->importing();
    for (int row = 0; row < count; ++row) {
        if (x < chipRect(row).center().x())
            return row;
    }
    return count;
}

void AttachmentStrip::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QRect rect = chipRect(row);
        if (rect.right() < 0 || rect.left() > width())
            continue;
        if (m_dragging && row == m_pressed)
            painter.setOpacity(0.35);
        paintChip(painter, row, rect);
        painter.setOpacity(1.0);
    }
    if (m_dragging && m_dropAt >= 0) { // where the dragged chip would go
        const int x = m_dropAt < m_model->rowCount()
            ? chipRect(m_dropAt).left() - kSpacing / 2
            : chipRect(m_model->rowCount() - 1).right() + kSpacing / 2;
        painter.setPen(QPen(palette().color(QPalette::Highlight), 3));
        painter.drawLine(x, 2, x, kChipHeight + 6);
    }
}

void AttachmentStrip::paintChip(QPainter &painter, int row, const QRect &rect) const
{
    const QModelIndex index = m_model->index(row);
    const QPalette &pal = palette();
    const bool hovered = row == m_hovered;
    painter.setPen(QPen(pal.color(hovered ? QPalette::Highlight : QPalette::Mid), 1));
    painter.setBrush(pal.color(QPalette::Base));
    painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);

    // The thumbnail, cropped to a square.
    const QRect thumb(rect.left() + 6, rect.top() + (rect.height() - kThumb) / 2, kThumb, kThumb);
    const QImage image = index.data(int(AttachmentModel::Roles::Thumbnail)).value<QImage>();
    const bool video = index.data(int(AttachmentModel::Roles::IsVideo)).toBool();
    const bool importing = index.data(int(AttachmentModel::Roles::Importing)).toBool();
    QPainterPath clip;
    clip.addRoundedRect(thumb, 4, 4);
    painter.save();
    painter.setClipPath(clip);
    if (!image.isNull()) {
        const QSize scaled =
            image.size().scaled(thumb.size() * devicePixelRatioF(), Qt::KeepAspectRatioByExpanding);
        const QImage fitted = image.scaled(scaled, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        const QRect source((fitted.width() - thumb.width() * devicePixelRatioF()) / 2,
                           (fitted.height() - thumb.height() * devicePixelRatioF()) / 2,
                           thumb.width() * devicePixelRatioF(), thumb.height() * devicePixelRatioF());
        painter.drawImage(thumb, fitted, source);
    } else {
        painter.fillRect(thumb, pal.color(QPalette::AlternateBase));
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(thumb, Qt::AlignCenter, importing ? u"…"_s : video ? u"▶"_s : u"🖼"_s);
    }
    painter.restore();
    if (video && !image.isNull()) { // a play mark on a video's frame
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0, 0, 0, 140));
        painter.drawEllipse(thumb.center(), 11, 11);
        painter.setBrush(Qt::white);
        const QPointF c = thumb.center();
        painter.drawPolygon(QPolygonF({c + QPointF(-4, -6), c + QPointF(-4, 6), c + QPointF(6, 0)}));
    }

    // Name, and what goes out.
    const int textLeft = thumb.right() + 8;
    const QRect nameRect(textLeft, rect.top() + 8, rect.right() - textLeft - kRemove - 6,
                         fontMetrics().height());
    painter.setPen(pal.color(QPalette::Text));
    painter.drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                     fontMetrics().elidedText(index.data(int(AttachmentModel::Roles::Name)).toString(),
                                              Qt::ElideMiddle, nameRect.width()));
    QString detail;
    if (importing) {
        detail = tr("Importing…");
    } else {
        const qint64 bytes = index.data(int(AttachmentModel::Roles::Bytes)).toLongLong();
        const qint64 original = index.data(int(AttachmentModel::Roles::OriginalBytes)).toLongLong();
        const bool scaled = index.data(int(AttachmentModel::Roles::HasPrepared)).toBool()
            && !index.data(int(AttachmentModel::Roles::SendOriginal)).toBool();
        detail = scaled ? tr("%1 → %2").arg(sizeText(original), sizeText(bytes)) : sizeText(bytes);
        if (video) {
            const QString length =
                durationText(index.data(int(AttachmentModel::Roles::DurationMs)).toLongLong());
            detail = length.isEmpty() ? tr("Video · %1").arg(detail) : tr("%1 · %2").arg(length, detail);
        } else {
            // What goes out first (it may be elided): "2.1 MB → 560 kB · 2048×1365".
            const QSize pixels = index.data(int(AttachmentModel::Roles::Pixels)).toSize();
            if (pixels.isValid() && !pixels.isEmpty())
                detail = tr("%1 · %2×%3").arg(detail).arg(pixels.width()).arg(pixels.height());
        }
    }
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    painter.setFont(small);
    painter.setPen(pal.color(QPalette::PlaceholderText));
    const QRect detailRect(textLeft, nameRect.bottom() + 4, rect.right() - textLeft - 6,
                           QFontMetrics(small).height());
    painter.drawText(detailRect, Qt::AlignLeft | Qt::AlignVCenter,
                     QFontMetrics(small).elidedText(detail, Qt::ElideRight, detailRect.width()));
    painter.setFont(font());

    if (!importing) { // the remove button
        const QRect remove = removeRect(row);
        if (hovered && m_hoveringRemove) {
            painter.setPen(Qt::NoPen);
            painter.setBrush(pal.color(QPalette::Button));
            painter.drawEllipse(remove);
        }
        painter.setPen(QPen(pal.color(hovered ? QPalette::Text : QPalette::PlaceholderText), 1.5));
        const QRect cross = remove.adjusted(5, 5, -5, -5);
        painter.drawLine(cross.topLeft(), cross.bottomRight());
        painter.drawLine(cross.topRight(), cross.bottomLeft());
    }
}

void AttachmentStrip::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    const int row = rowAt(event->position().toPoint());
    if (row < 0 || m_model->index(row).data(int(AttachmentModel::Roles::Importing)).toBool())
        return;
    if (removeRect(row).contains(event->position().toPoint())) {
        m_model->remove(row);
        m_hovered = -1;
        return;
    }
    m_pressed = row;
    m_pressPoint = event->position().toPoint();
}

void AttachmentStrip::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint point = event->position().toPoint();
    if (m_pressed >= 0 && (event->buttons() & Qt::LeftButton)) {
        if (!m_dragging && (point - m_pressPoint).manhattanLength() >= QApplication::startDragDistance())
            m_dragging = true;
        if (m_dragging) {
            m_dropAt = insertionAt(point.x());
            if (point.x() < 10)
                scrollBy(-12);
            else if (point.x() > width() - 10)
                scrollBy(12);
            update();
            return;
        }
    }
    const int row = rowAt(point);
    const bool onRemove = row >= 0 && removeRect(row).contains(point);
    if (row != m_hovered || onRemove != m_hoveringRemove) {
        m_hovered = row;
        m_hoveringRemove = onRemove;
        setToolTip(row >= 0 ? (onRemove ? tr("Remove") : tr("Click to look at it; drag to move it"))
                            : QString());
        update();
    }
}

void AttachmentStrip::mouseReleaseEvent(QMouseEvent *event)
{
    const int pressed = std::exchange(m_pressed, -1);
    if (pressed < 0 || event->button() != Qt::LeftButton)
        return QWidget::mouseReleaseEvent(event);
    if (m_dragging) {
        m_dragging = false;
        const int to = std::exchange(m_dropAt, -1);
        if (to >= 0)
            m_model->moveRows({}, pressed, 1, {}, to);
        update();
        return;
    }
    if (rowAt(event->position().toPoint()) == pressed)
        emit previewRequested(pressed);
}

void AttachmentStrip::leaveEvent(QEvent *event)
{
    m_hovered = -1;
    m_hoveringRemove = false;
    update();
    QWidget::leaveEvent(event);
}

void AttachmentStrip::wheelEvent(QWheelEvent *event)
{
    const QPoint delta = event->angleDelta();
    scrollBy(-(delta.x() != 0 ? delta.x() : delta.y()) / 2);
    event->accept();
}

void AttachmentStrip::contextMenuEvent(QContextMenuEvent *event)
{
    const int row = rowAt(event->pos());
    if (row < 0 || m_model->index(row).data(int(AttachmentModel::Roles::Importing)).toBool())
        return;
    const QModelIndex index = m_model->index(row);
    QMenu menu(this);
    menu.addAction(tr("Look at it"), this, [this, row] { emit previewRequested(row); });
    if (index.data(int(AttachmentModel::Roles::HasPrepared)).toBool()) {
        QAction *original = menu.addAction(tr("Send the original"));
        original->setCheckable(true);
        original->setChecked(index.data(int(AttachmentModel::Roles::SendOriginal)).toBool());
        connect(original, &QAction::toggled, this,
                [this, row](bool on) { m_model->setSendOriginal(row, on); });
    }
    menu.addSeparator();
    menu.addAction(tr("Remove"), this, [this, row] { m_model->remove(row); });
    menu.exec(event->globalPos());
}

} // namespace moonpane
