#include "RequestBodyDevice.h"

#include "Base64.h"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace moonpane {

namespace {

constexpr qint64 kTextPiece = 1 << 20;
constexpr qint64 kMediaPiece = 3 << 20; // read at a time: 4 MiB of base64

} // namespace

// What the device and its writing thread share. Everything but `body` is guarded by `mutex`.
struct RequestBodyDevice::State
{
    RequestBody body; // read by the thread only
    std::mutex mutex;
    std::condition_variable room;
    std::deque<QByteArray> chunks;
    qint64 offset = 0; // into chunks.front()
    qint64 buffered = 0;
    qint64 peak = 0;
    bool written = false; // the thread wrote the whole body
    bool finished = false; // the thread has returned
    bool stopped = false; // the device is gone
    QString error;
    RequestBodyDevice *owner = nullptr;
    std::thread thread;

    // Waits for room, then queues `chunk`; false once the device is gone.
    bool push(QByteArray chunk)
    {
        std::unique_lock lock(mutex);
        room.wait(lock, [this] { return stopped || buffered < kBufferBytes; });
        if (stopped)
            return false;
        const bool wasEmpty = buffered == 0;
        buffered += chunk.size();
        peak = std::max(peak, buffered);
        chunks.push_back(std::move(chunk));
        if (wasEmpty)
            pokeOwner(false);
        return true;
    }
    // Tells the device's thread that there is something to read (or an error); under `mutex`.
    void pokeOwner(bool failure)
    {
        if (!owner)
            return;
        RequestBodyDevice *device = owner;
        if (failure)
            QMetaObject::invokeMethod(
                device, [device, why = error] { emit device->failed(why); }, Qt::QueuedConnection);
        else
            QMetaObject::invokeMethod(
                device, [device] { emit device->readyRead(); }, Qt::QueuedConnection);
    }

    void run()
    {
        QString why;
        bool ok = true;
        for (const RequestBody::Segment &segment : body.segments()) {
            if (!segment.isMedia()) {
                for (qint64 at = 0; ok && at < segment.text.size(); at += kTextPiece)
                    ok = push(segment.text.mid(at, kTextPiece));
            } else {
                const bool raw = segment.encoding == RequestBody::Encoding::Raw;
                if (!raw)
                    ok = push(segment.media.dataUriPrefix());
                if (ok) {
                    const bool read = RequestBody::readMedia(
                        segment.media, kMediaPiece,
                        [&](const char *data, qint64 size) {
                            QByteArray piece;
                            if (raw) {
                                piece = QByteArray(data, static_cast<qsizetype>(size));
                            } else {
                                piece.resize(static_cast<qsizetype>(Base64::encodedSize(size)));
                                Base64::encode(data, size, piece.data());
                            }
                            ok = push(std::move(piece));
                            return ok;
                        },
                        &why);
                    if (!read) {
                        std::lock_guard lock(mutex);
                        error = why;
                        pokeOwner(true);
                        ok = false;
                    }
                }
            }
            if (!ok)
                break;
        }
        std::lock_guard lock(mutex);
        written = ok;
        finished = true;
        if (ok)
            pokeOwner(false); // the end is there to be read
    }
};

RequestBodyDevice::RequestBodyDevice(RequestBody body, QObject *parent)
    : QIODevice(parent)
    , m_state(std::make_shared<State>())
    , m_size(body.size())
{
    m_state->body = std::move(body);
    m_state->owner = this;
    open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    m_state->thread = std::thread([state = m_state] { state->run(); });
}

RequestBodyDevice::~RequestBodyDevice()
{
    bool finished = false;
    {
        std::lock_guard lock(m_state->mutex);
        m_state->stopped = true;
        m_state->owner = nullptr;
        finished = m_state->finished;
    }
    m_state->room.notify_all();
    // A thread still reading a file ends on its own, with its share of the state: nothing here
    // waits for a disk.
    if (finished)
        m_state->thread.join();
    else
        m_state->thread.detach();
}

qint64 RequestBodyDevice::readData(char *data, qint64 maxSize)
{
    qint64 copied = 0;
    bool atEnd = false;
    {
        std::lock_guard lock(m_state->mutex);
        while (copied < maxSize && !m_state->chunks.empty()) {
            const QByteArray &front = m_state->chunks.front();
            const qint64 take = std::min(maxSize - copied, front.size() - m_state->offset);
            std::memcpy(data + copied, front.constData() + m_state->offset, static_cast<std::size_t>(take));
            copied += take;
            m_state->offset += take;
            if (m_state->offset == front.size()) {
                m_state->chunks.pop_front();
                m_state->offset = 0;
            }
        }
        m_state->buffered -= copied;
        atEnd = copied == 0 && m_state->written && m_state->chunks.empty();
    }
    if (copied > 0)
        m_state->room.notify_all();
    m_delivered += copied;
    return atEnd ? -1 : copied;
}

qint64 RequestBodyDevice::bytesAvailable() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->buffered + QIODevice::bytesAvailable();
}

bool RequestBodyDevice::atEnd() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->written && m_state->chunks.empty() && QIODevice::bytesAvailable() == 0;
}

qint64 RequestBodyDevice::peakBuffered() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->peak;
}

} // namespace moonpane
