// Turns what a user attaches (a file, bytes pasted from the clipboard, a pasted picture) into
// media references a request can carry, checking it the way Kimi will: the type sniffed from
// the content, a size that fits in a request, a file that is a regular file. Runs wherever it is
// called, and it reads, hashes, decodes and encodes: in the app, only ever on a worker thread.
//
// The file is copied into a media folder under the SHA-256 of its bytes (content-addressed: the
// same picture twice is one file), or, for moonpane-cli sending without saving, referenced
// where it is. Images are then made ready to send, once, as another file of the folder:
//   - BMP and TIFF become PNG (or JPEG where that is smaller for a photo without transparency);
//   - an image whose EXIF orientation is not upright is turned upright;
//   - an image whose longest edge is over `maxImageEdge` is scaled down to it, in its own
//     format (JPEG when a PNG photo gets smaller that way; GIFs are left alone, an animation
//     would lose its frames).
// The original stays available: "send original" uses it.
#pragma once

#include "api/ChatRequest.h"
#include "api/MediaRef.h"

#include <QByteArray>
#include <QString>

#include <atomic>

class QImage;

namespace moonpane {

struct ImportOptions
{
    // Where files go: the media folder (attachments/ beside the database). Empty: a file is
    // referenced where it is, and only derived images are written (to `derivedDir`).
    QString mediaDir;
    QString derivedDir;
    int maxImageEdge = 0; // 0: never scale down
    // Re-encode a JPEG whose EXIF orientation is not upright (false: moonpane-cli's exact bytes,
    // unless it scales the image anyway).
    bool turnUpright = true;
    // The largest file that can go inline: a request is at most ChatRequest::kMaxBodyBytes, and
    // base64 makes 4 bytes of every 3.
    qint64 maxBytes = kMaxInlineBytes;
    // Videos over maxBytes are accepted up to this (they go through the Files API).
    qint64 maxUploadBytes = 0;
    bool uploadsUnknown = false; // whether the server has a Files API is not known yet
    const std::atomic_bool *cancelled = nullptr;

    static constexpr qint64 kMaxInlineBytes = ChatRequest::kMaxInlineMediaBytes;
};

struct ImportedMedia
{
    // The bytes as attached (converted, for a format Kimi cannot take), and the copy made
    // ready to send, if any.
    AttachedMedia media;
    QString error; // empty on success; else says what and why, naming the file

    bool ok() const { return error.isEmpty(); }
};

namespace MediaImporter {

// A file the user named. `name` is what to call it (its file name if empty).
ImportedMedia importFile(const QString &path, const ImportOptions &options, const QString &name = {});
// Bytes from the clipboard or a drop (a copied file's content, an image in some format).
ImportedMedia importData(const QByteArray &bytes, const QString &name, const ImportOptions &options);
// A picture from the clipboard with no file behind it: saved as PNG (JPEG for a large photo).
ImportedMedia importImage(const QImage &image, const QString &name, const ImportOptions &options);

// The image at `ref` made ready to send with another longest edge (the user changed it, or
// asked to downscale to fit a request): null when the original does as it is.
MediaRef prepareImage(const MediaRef &ref, int maxImageEdge, bool turnUpright, const QString &dir,
                      QString *error);

} // namespace MediaImporter

} // namespace moonpane
