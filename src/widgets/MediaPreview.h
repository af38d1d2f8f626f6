// A larger look at one attachment: the picture (or a video's first frame) fitted to the window,
// decoded off the UI thread, with what it is (name, type, size, pixels, length) and a button that
// opens it in the system's viewer or player.
#pragma once

#include "api/MediaRef.h"

#include <QDialog>

class QLabel;

namespace moonpane {

class ThumbnailCache;

class MediaPreview final : public QDialog
{
    Q_OBJECT

public:
    static constexpr int kEdge = 1400;

    MediaPreview(const MediaRef &media, ThumbnailCache *thumbnails, QWidget *parent = nullptr);

    bool hasPicture() const;
    QString details() const;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void showPicture();

    MediaRef m_media;
    QImage m_image;
    QLabel *m_picture;
    QLabel *m_details;
};

} // namespace moonpane
