#include "RenderDocument.h"

#include <QImage>
#include <QPainter>

namespace moonpane {

QVariant RenderDocument::loadResource(int type, const QUrl &)
{
    if (type != QTextDocument::ImageResource)
        return {};
    static const QImage placeholder = [] {
        QImage image(20, 16, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(QColor(128, 128, 128), 1.2));
        p.drawRoundedRect(QRectF(1.5, 1.5, 17, 13), 2, 2);
        p.drawLine(QPointF(4, 12), QPointF(8, 7));
        p.drawLine(QPointF(8, 7), QPointF(11, 10));
        p.drawLine(QPointF(11, 10), QPointF(13, 8));
        p.drawLine(QPointF(13, 8), QPointF(16, 12));
        return image;
    }();
    return placeholder;
}

} // namespace moonpane
