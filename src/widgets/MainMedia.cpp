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
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/Conversation.h"
#include "conversation/ConversationLibrary.h"
#include "conversation/ConversationModel.h"
#include "media/AttachmentModel.h"
#include "media/MediaFormats.h"
#include "media/ThumbnailCache.h"
#include "media/WorkerThread.h"
#include "storage/ConversationStore.h"
#include "storage/Credentials.h"
#include "storage/Database.h"
#include "storage/Settings.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
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
    // Videos too large to go inline can go to the server's Files API, where it has one: asked
    // once per server (refreshFilesApi), remembered per file between runs (the store).
    connect(m_client, &ChatClient::filesApiChanged, this, [this](ChatClient::FilesApi api) {
        m_attachments->setFilesApi(
            api == ChatClient::FilesApi::Available    ? AttachmentModel::FilesApi::Available
                : api == ChatClient::FilesApi::Absent ? AttachmentModel::FilesApi::Absent
                                                      : AttachmentModel::FilesApi::Unknown);
    });
    if (m_store)
        connect(m_client, &ChatClient::uploadRemembered, m_store, &ConversationStore::rememberUpload);

    // The size of the next request, worked out a moment after what makes it up changed.
    m_budgetTimer.setSingleShot(true);
    m_budgetTimer.setInterval(150);
    connect(&m_budgetTimer, &QTimer::timeout, this, &MainWindow::updateBudget);
    // Not on every delta of a streaming reply: when the draft, the text or the conversation
    // changed, a reply ended, and, while the history's text is still on its way, as it arrives.
    m_budgetWorker = new WorkerThread(this);
    const auto later = [this] { m_budgetTimer.start(); };
    connect(m_attachments, &AttachmentModel::draftChanged, this, later);
    connect(m_attachments, &QAbstractItemModel::rowsInserted, this, later);
    connect(m_attachments, &QAbstractItemModel::rowsRemoved, this, later);
    connect(m_attachments, &QAbstractItemModel::dataChanged, this, later);
    connect(m_composer, &Composer::textEdited, this, later);
    connect(m_library, &ConversationLibrary::opened, this, later);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        if (m_budgetWaitsForText)
            m_budgetTimer.start();
    });
    connect(m_composer, &Composer::budgetActionRequested, this, [this](const QString &action) {
        if (action == "leave-out"_L1) {
            if (m_current)
                session(m_current)->leaveOutOldMediaToFit();
        } else if (action == "downscale"_L1) {
            const int edge = m_attachments->maxImageEdge() > 0 ? m_attachments->maxImageEdge() : 4096;
            m_attachments->downscale(std::max(512, edge / 2));
        }
        updateBudget();
    });
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

void MainWindow::refreshFilesApi()
{
    if (m_store)
        m_client->setKnownUploads(m_store->uploads(m_client->uploadEndpointKey()));
    if (m_credentials->hasKey())
        m_client->probeFilesApi();
}

void MainWindow::updateBudget()
{
    m_budgetTimer.stop();
    const quint64 generation = ++m_budgetGeneration;
    m_budgetWaitsForText = false;
    if (!m_current) {
        m_lastBudget = {};
        m_composer->showBudget({}, false);
        return;
    }
    // What needs the conversation is taken here (references, no JSON); the body is weighed on a
    // worker: for a conversation of thousands of messages that is tens of milliseconds.
    ChatRequest request;
    bool fit = false;
    bool weighable = false;
    RequestBudget b = session(m_current)->prepareBudget(m_composer->text(), m_attachments->parts(), &request,
                                                        &fit, &weighable);
    m_budgetWaitsForText = !weighable;
    if (!weighable || (b.media.isEmpty() && b.leftOut.isEmpty() && !fit)) {
        m_lastBudget = {};
        m_composer->showBudget({}, false);
        return;
    }
    m_budgetWorker->post([this, b, request, fit, generation]() mutable -> WorkerThread::Then {
        ChatSession::weigh(b, std::move(request), fit);
        return [this, b, generation] {
            if (generation == m_budgetGeneration)
                showBudget(b);
        };
    });
}

void MainWindow::showBudget(const RequestBudget &b)
{
    m_lastBudget = b;
    if (b.media.isEmpty() && b.leftOut.isEmpty()) {
        m_composer->showBudget({}, false);
        return;
    }
    const auto size = [](qint64 bytes) {
        return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
    };
    QString text;
    if (!b.isOver()) {
        text = tr("Next request: %1 of %2").arg(size(b.bytes), size(b.limit));
        if (b.leftOut.size() == 1)
            text += tr(" · 1 older attachment left out");
        else if (!b.leftOut.isEmpty())
            text += tr(" · %1 older attachments left out").arg(b.leftOut.size());
        m_composer->showBudget(text.toHtmlEscaped(), false);
        return;
    }
    QStringList largest;
    for (const RequestBudget::Medium &m : b.media) {
        if (largest.size() == 3)
            break;
        const QString name = m.name.isEmpty() ? (m.video ? tr("a video") : tr("an image")) : m.name;
        const QString when = m.turnsAgo == 0 ? tr("this message")
            : m.turnsAgo == 1                ? tr("the turn before")
                                             : tr("%1 turns ago").arg(m.turnsAgo);
        largest.append(tr("%1 (%2, %3)").arg(name, size(m.bytes), when));
    }
    QStringList actions;
    const bool olderMedia = std::any_of(b.media.cbegin(), b.media.cend(),
                                        [](const RequestBudget::Medium &m) { return m.turnsAgo > 0; });
    if (olderMedia)
        actions.append(u"<a href=\"leave-out\">%1</a>"_s.arg(tr("Leave out older media")));
    const bool images = std::any_of(m_current->draftMedia.cbegin(), m_current->draftMedia.cend(),
                                    [](const AttachedMedia &m) { return !m.original.isVideo(); });
    if (images)
        actions.append(u"<a href=\"downscale\">%1</a>"_s.arg(tr("Scale the attached images down")));
    text = tr("This request would be %1; the API takes at most %2. The largest, as sent (base64): %3.")
               .arg(size(b.bytes), size(b.limit), largest.join(u", "_s))
               .toHtmlEscaped();
    if (!actions.isEmpty())
        text += u" "_s + actions.join(u" · "_s);
    else
        text += u" "_s + tr("Remove an attachment to send it.").toHtmlEscaped();
    m_composer->showBudget(text, true);
}

void MainWindow::previewMedia(const MediaRef &media)
{
    if (media.isNull())
        return;
    auto *preview = new MediaPreview(media, m_thumbnails, this);
    preview->show();
}

} // namespace moonpane
