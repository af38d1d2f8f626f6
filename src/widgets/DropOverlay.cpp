#include "DropOverlay.h"

#include "media/AttachmentModel.h"

#include <QDragEnterEvent>
#include <QMimeData>
#include <QPainter>

namespace moonpane {

DropOverlay::DropOverlay(QWidget *area, AttachmentModel *attachments, const QList<QWidget *> &sources)
    : QWidget(area)
    , m_attachments(attachments)
{
    setObjectName(QStringLiteral("dropOverlay"));
    setAttribute(Qt::WA_TransparentForMouseEvents); // drags go on to the widgets under it
    hide();
    area->setAcceptDrops(true);
    area->installEventFilter(this);
    for (QWidget *source : sources) {
        source->setAcceptDrops(true);
        source->installEventFilter(this);
    }
}

bool DropOverlay::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::Resize:
        if (watched == parent())
            setGeometry(parentWidget()->rect());
        break;
    case QEvent::DragEnter:
        if (offer(static_cast<QDropEvent *>(event)))
            return true; // ours: what it would do to the widget (paste a path as text) is not done
        hide();
        break;
    case QEvent::DragMove:
        if (isVisible()) {
            auto *move = static_cast<QDragMoveEvent *>(event);
            move->setDropAction(Qt::CopyAction);
            move->accept();
            return true;
        }
        break;
    case QEvent::DragLeave:
        hide(); // shown again at once if the drag enters another of the widgets
        break;
    case QEvent::Drop:
        if (isVisible()) {
            auto *drop = static_cast<QDropEvent *>(event);
            hide();
            if (m_attachments->attach(drop->mimeData())) {
                drop->setDropAction(Qt::CopyAction);
                drop->accept();
                emit dropped();
            }
            return true;
        }
        break;
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}

bool DropOverlay::offer(QDropEvent *event)
{
    const QString message = AttachmentModel::describe(event->mimeData());
    if (message.isEmpty())
        return false;
    m_message = message;
    setGeometry(parentWidget()->rect());
    show();
    raise();
    update();
    event->setDropAction(Qt::CopyAction);
    event->accept();
    return true;
}

void DropOverlay::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    QColor veil = palette().color(QPalette::Base);
    veil.setAlpha(215);
    painter.fillRect(rect(), veil);
    QColor accent = palette().color(QPalette::Highlight);
    QPen pen(accent, 2, Qt::DashLine);
    painter.setPen(pen);
    accent.setAlpha(28);
    painter.setBrush(accent);
    const QRect box = rect().adjusted(16, 16, -16, -16);
    painter.drawRoundedRect(box, 12, 12);
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    painter.setFont(big);
    painter.setPen(palette().color(QPalette::Text));
    const QRect textBox = box.adjusted(24, 0, -24, 0);
    painter.drawText(textBox, Qt::AlignCenter | Qt::TextWordWrap, m_message);
    painter.setFont(font());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const int below = QFontMetrics(big).height() * 2;
    painter.drawText(
        textBox.adjusted(0, below, 0, below), Qt::AlignCenter | Qt::TextWordWrap,
        tr("Images and videos go with your next message; anything else is refused with the reason."));
}

} // namespace moonpane
