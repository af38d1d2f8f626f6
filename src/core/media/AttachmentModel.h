// The composer's attachments: the media of the current conversation's draft, in the order they
// will be sent, and those still being imported. Files, pasted pictures and dropped data are
// imported on a worker thread (MediaImporter into the media folder), then join the draft of
// the conversation they were attached to (saved with it: a restart keeps them). Two pastes of
// one picture are two attachments; the folder stores its bytes once.
//
// Rows: the draft's media, then the imports on their way. The strip shows them with their
// thumbnails (ThumbnailCache), which arrive later with dataChanged.
#pragma once

#include "MediaImporter.h"
#include "api/ContentPart.h"
#include "api/MediaRef.h"

#include <QAbstractListModel>
#include <QImage>
#include <QList>
#include <QStringList>

#include <memory>

class QMimeData;
class QTemporaryDir;

namespace moonpane {

class Conversation;
class ConversationLibrary;
class ThumbnailCache;
class WorkerThread;

class AttachmentModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AttachmentModel)

public:
    enum class Roles {
        Name = Qt::UserRole + 1, // QString: what the user called it
        IsVideo, // bool
        Bytes, // qint64: what goes out (the scaled copy, or the original)
        OriginalBytes, // qint64: the original's size
        Pixels, // QSize of what goes out (videos: once known)
        DurationMs, // qint64, videos, -1 while not known
        Thumbnail, // QImage, null until made
        Importing, // bool: still on its way
        HasPrepared, // bool: a scaled or upright copy exists
        SendOriginal, // bool
        Media, // QVariant of MediaRef: what goes out
    };
    Q_ENUM(Roles)

    // A folder dropped with more supported files than this asks before attaching them.
    static constexpr int kConfirmFolderAbove = 10;
    // The Files API's limit per file.
    static constexpr qint64 kMaxUploadBytes = 100'000'000;

    AttachmentModel(ConversationLibrary *library, ThumbnailCache *thumbnails, QObject *parent = nullptr);
    ~AttachmentModel() override;

    // Where imported media go: the store's media folder (empty: a temporary one of its own).
    void setMediaDir(const QString &dir);
    QString mediaDir() const;
    // Images with a longer edge are sent scaled down (0: never).
    void setMaxImageEdge(int pixels) { m_maxImageEdge = pixels; }
    int maxImageEdge() const { return m_maxImageEdge; }
    // Whether the server takes videos too large for a request through its Files API (then up
    // to 100 MB are accepted).
    enum class FilesApi { Unknown, Available, Absent };
    void setFilesApi(FilesApi api) { m_filesApi = api; }
    // The conversation whose draft the composer shows.
    void setConversation(Conversation *conversation);
    Conversation *conversation() const { return m_conversation; }

    // Attaching: asynchronous. What cannot be attached is said by refused(); what was attached
    // already stays.
    void attachFiles(const QStringList &paths);
    void attachImage(const QImage &image);
    void attachData(const QByteArray &bytes, const QString &name);
    // Lists a folder's files of the kinds Kimi takes (by name; their content is checked when
    // attached), on the worker: folderListed() follows.
    void listFolder(const QString &path);

    // What a drop or a paste of `mime` would attach, in a sentence for the drop highlight
    // ("Attach 3 files"); empty when it holds no local file, folder or picture.
    static QString describe(const QMimeData *mime);
    // Attaches what it holds: files, the files of folders (folderListed first), or a picture.
    // False when there was nothing to attach.
    bool attach(const QMimeData *mime);

    // The draft's images made ready again with a longest edge of `pixels` (to make a request
    // fit); on the worker, like an import. Videos are left as they are.
    void downscale(int pixels);

    void remove(int row);
    void setSendOriginal(int row, bool original);
    // What the draft sends along, in order, and a clean draft once it went.
    QList<ContentPart> parts() const;
    void clearDraft();
    // Imports on their way for the current conversation (all conversations: `all`).
    int importing(bool all = false) const;
    // What the draft's media add to a request (data URIs), and the largest of them.
    qint64 requestBytes() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
                  const QModelIndex &destinationParent, int destinationChild) override;

signals:
    // A batch of imports begins (none was on its way): what was said about the last one is old.
    void batchStarted();
    // Each names a file and says why it was not attached.
    void refused(const QStringList &reasons);
    // A folder's files of the kinds Kimi takes; `others` were left out by their names.
    void folderListed(const QString &path, const QStringList &files, int others);
    // The current conversation's draft media changed (attached, removed, moved, sent).
    void draftChanged();
    // Every import asked for so far is done.
    void idle();

private:
    struct Import
    {
        int id = 0;
        qint64 conversationId = 0;
        QString name;
        bool video = false;
        QString source; // the file being imported, when its thumbnail can be made from it meanwhile
    };
    void startImport(const QString &name, bool video,
                     std::function<ImportedMedia(const ImportOptions &)> work, const QString &source = {});
    void finishImport(int id, const ImportedMedia &result);
    void onThumbnail(const QString &hash);
    void saved(); // the draft changed: tell the library, and whoever shows it
    QList<Import> importsHere() const;

    ConversationLibrary *m_library;
    ThumbnailCache *m_thumbnails;
    WorkerThread *m_worker;
    Conversation *m_conversation = nullptr;
    QString m_mediaDir;
    mutable std::unique_ptr<QTemporaryDir> m_temporary; // a media folder for a library without a store
    int m_maxImageEdge = 2048;
    FilesApi m_filesApi = FilesApi::Unknown;
    QList<Import> m_imports;
    int m_nextImport = 1;
    int m_pastes = 0; // "Pasted image 1", "Pasted image 2", …
};

} // namespace moonpane

Q_DECLARE_METATYPE(moonpane::MediaRef)
