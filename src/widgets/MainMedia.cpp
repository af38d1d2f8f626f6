// MainWindow: attaching media. The composer's attachments (AttachmentModel, core) for the
// current conversation, the drop highlight over the conversation and the composer, the Attach
// button's file picker, folders (asked about above a few files), what was refused, and the
// preview of an attachment or of media in a sent message.
#include "Composer.h"
#include "ComposerEdit.h"
#include "ConversationView.h"
#include "Dialogs.h"
#include "DropOverlay.h"
#include "MainWindow.h"
#include "MediaPreview.h"
#include "conversation/Conversation.h"
#include "media/AttachmentModel.h"
#include "media/MediaFormats.h"
#include "media/ThumbnailCache.h"
#include "storage/ConversationStore.h"
#include "storage/Database.h"
#include "storage/Settings.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace moonpane {

void MainWindow::setupMedia()
{
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    m_thumbnails =
        new ThumbnailCache(cache.isEmpty() ? QString() : QDir(cache).filePath(u"thumbnails"_s), this);
    m_attachments = new AttachmentModel(m_library, m_thumbnails, this);
    if (m_store)
        m_attachments->setMediaDir(Database::attachmentsDir(m_store->path()));
    m_attachments->setMaxImageEdge(m_settings->number(Settings::Key::ImageMaxEdge));
    m_composer->setAttachments(m_attachments);
    m_view->setThumbnails(m_thumbnails);
    m_dropOverlay = new DropOverlay(m_chat, m_attachments,
                                    QList<QWidget *> {m_view->viewport(), m_composer->editor(), m_composer});

    connect(m_composer, &Composer::attachRequested, this, &MainWindow::pickAttachments);
    connect(m_composer, &Composer::previewRequested, this, [this](int row) {
        previewMedia(m_attachments->index(row).data(int(AttachmentModel::Roles::Media)).value<MediaRef>());
    });
    connect(m_view, &ConversationView::mediaActivated, this, &MainWindow::previewMedia);
    // What a batch could not attach is said together, until the next batch begins.
    connect(m_attachments, &AttachmentModel::batchStarted, this, [this] {
        m_refusals.clear();
        m_composer->showNotAttached({});
    });
    connect(m_attachments, &AttachmentModel::refused, this, [this](const QStringList &reasons) {
        m_refusals += reasons;
        m_composer->showNotAttached(m_refusals);
    });
    connect(m_attachments, &AttachmentModel::folderListed, this, &MainWindow::attachFolder);
}

void MainWindow::pickAttachments()
{
    if (!m_current)
        newConversation();
    const QStringList files = Dialogs::openFileNames(
        this, tr("Attach Images or Videos"),
        QStandardPaths::writableLocation(QStandardPaths::PicturesLocation), MediaFormats::fileDialogFilter());
    if (files.isEmpty())
        return;
    m_attachments->attachFiles(files);
}

void MainWindow::attachFolder(const QString &path, const QStringList &files, int others)
{
    const QString name = QFileInfo(path).fileName();
    if (files.isEmpty()) {
        m_composer->showNotAttached({tr("%1 holds no images or videos").arg(name)});
        return;
    }
    if (files.size() > AttachmentModel::kConfirmFolderAbove
        && !Dialogs::ask(
            this, tr("Attach a Folder"),
            tr("Attach the %n images and videos in %1?", nullptr, static_cast<int>(files.size())).arg(name)
                + (others > 0 ? u"\n"_s + tr("%n other files there are left out.", nullptr, others)
                              : QString())))
        return;
    m_attachments->attachFiles(files);
}

void MainWindow::previewMedia(const MediaRef &media)
{
    if (media.isNull())
        return;
    auto *preview = new MediaPreview(media, m_thumbnails, this);
    preview->show();
}

} // namespace moonpane
