// The media folder (attachments/ beside the database): every image and video Moonpane keeps,
// each once, in a file named by the SHA-256 of its bytes. A file is written under a temporary
// name (".incoming-…") and renamed to its hash when complete, so a file named by a hash always
// holds those bytes. Files are 0600.
//
// A file no row refers to is removed later (StoreRows::removeOrphanFiles, sweepDataDir); a file
// that was just written or wanted again has a fresh modification time, which those removals
// respect, so media being attached in one process are not swept by another meanwhile.
#pragma once

#include "api/MediaRef.h"

#include <QByteArray>
#include <QString>

#include <atomic>

class QFile;

namespace moonpane::MediaFolder {

// How long an unreferenced file is left alone after it was last written or wanted.
constexpr qint64 kGraceMs = 60 * 60 * 1000;
// Temporary names while a file is written.
inline constexpr char kIncomingPrefix[] = ".incoming-";

// Writes `bytes` into `dir` under their hash. The returned reference has path, hash and bytes;
// null on failure (*error says why).
MediaRef storeBytes(const QByteArray &bytes, const QString &dir, QString *error);
// Reads `file` (open, at its start) to its end once, hashing it and, with a `dir`, copying it
// there under its hash; without one the reference points at `path` itself. More than
// `maxBytes` fails (a file growing while it is read). `cancelled`, when set, stops it.
MediaRef copyIn(QFile &file, const QString &path, const QString &dir, qint64 maxBytes,
                const std::atomic_bool *cancelled, QString *error);
// The medium in `dir`: the file already there under its hash (then marked as wanted), or a copy
// of where it is now, checked against its hash. Keeps everything else `media` says.
MediaRef adopt(const MediaRef &media, const QString &dir, QString *error);

} // namespace moonpane::MediaFolder
