#include "MediaPreview.h"

#include "media/ThumbnailCache.h"

#include <QBoxLayout>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace moonpane {

MediaPreview::MediaPreview(const MediaRef &media, ThumbnailCache *thumbnails, QWidget *parent)
    : QDialog(parent)
    , m_media(media)
    , m_picture(new QLabel(this))
    , m_details(new QLabel(this))
{
    setObjectName(u"mediaPreview"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(media.name.isEmpty() ? tr("Attachment") : media.name);
    m_picture->setAlignment(Qt::AlignCenter);
    m_picture->setMinimumSize(240, 160);
    m_picture->setText(tr("Loading…"));
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setWordWrap(true);

    QStringList details {media.mimeType,
                         QLocale().formattedDataSize(media.bytes, 1, QLocale::DataSizeSIFormat)};
    if (media.width > 0 && media.height > 0)
        details.append(u"%1 × %2"_s.arg(media.width).arg(media.height));
    if (media.durationMs >= 0) {
        const qint64 seconds = (media.durationMs + 500) / 1000;
        details.append(u"%1:%2"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QChar(u'0')));
    }
    m_details->setText(details.join(u" · "_s));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *open = buttons->addButton(media.isVideo() ? tr("Play in the system's player")
                                                           : tr("Open in the system's viewer"),
                                           QDialogButtonBox::ActionRole);
    connect(open, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(m_media.path)); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_picture, 1);
    layout->addWidget(m_details);
    layout->addWidget(buttons);
    resize(760, 600);

    const QString key = media.hash.isEmpty() ? media.path : media.hash;
    connect(thumbnails, &ThumbnailCache::previewReady, this,
            [this, key](const QString &hash, const QImage &image) {
                if (hash != key)
                    return;
                m_image = image;
                if (image.isNull())
                    m_picture->setText(tr("This file cannot be shown here."));
                showPicture();
            });
    thumbnails->requestPreview(media, kEdge);
}

bool MediaPreview::hasPicture() const
{
    return !m_image.isNull();
}

QString MediaPreview::details() const
{
    return m_details->text();
}

void MediaPreview::resizeEvent(QResizeEvent *event)
{
    QDialog::resizeEvent(event);
    showPicture();
}

void MediaPreview::showPicture()
{
    if (m_image.isNull())
        return;
    // The decoded picture is at most kEdge pixels; fitting it to the label is a small scale.
    const QSize room = m_picture->size() * devicePixelRatioF();
    QPixmap pixmap =
        QPixmap::fromImage(m_image.width() > room.width() || m_image.height() > room.height()
                               ? m_image.scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                               : m_image);
    pixmap.setDevicePixelRatio(devicePixelRatioF());
    m_picture->setPixmap(pixmap);
}

} // namespace moonpane
