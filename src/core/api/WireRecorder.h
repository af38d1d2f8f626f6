// WireRecorder keeps what went over the wire for one conversation, in memory: every request
// (its headers with the key redacted, its body with media as references), the response's status
// and headers, each received line with its millisecond offset from the request, a body read
// whole (a JSON reply, an HTML error page as it came), notes, the moments of the first byte and
// of the first reasoning, content and tool-call token, and the end with the assembled reply.
// It is the one WireObserver a ChatSession hands its requests to; it passes everything on to its
// sinks (the CLI's --trace file), and the Inspector's Wire tab reads it.
//
// Bounded: at most kMaxBytes in all, the oldest exchanges going first (the newest is always
// kept); the lines of one exchange past kMaxExchangeBytes are counted, not kept. Per line it
// costs one append and one signal nobody may be listening to.
#pragma once

#include "WireObserver.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QList>
#include <QObject>

#include <optional>

namespace moonpane {

// What a received line is, by its form alone (what the decoder made of it is in the exchange).
enum class WireLineKind {
    Data, // data: …
    Done, // data: [DONE]
    Comment, // ": …", keep-alives included
    Blank, // the end of an event
    Field, // event:, id:, retry:
    Malformed, // not a line of an event stream, or data the decoder could not read
};

struct WireLine
{
    qint64 ms = 0; // since the request went out
    QByteArray text;
    bool unreadable = false; // data the decoder could not read (the stream ended there)
};

struct WireNote
{
    qint64 ms = 0;
    QString text;
};

struct WireExchange
{
    qint64 id = 0; // unique within its recorder, growing
    WireObserver::Tag tag;
    QDateTime startedAt;
    QByteArray method;
    QUrl url;
    WireObserver::Headers requestHeaders;
    RequestBody requestBody;
    QString model; // from the body, when it names one
    int redirects = 0;

    int status = 0; // 0 until the response's headers came
    QByteArray reason;
    WireObserver::Headers responseHeaders;
    qint64 headersMs = -1;
    QList<WireLine> lines;
    qint64 linesDropped = 0; // past kMaxExchangeBytes
    QByteArray body; // a body read whole
    QList<WireNote> notes;

    qint64 firstByteMs = -1;
    qint64 firstReasoningMs = -1;
    qint64 firstContentMs = -1;
    qint64 firstToolCallMs = -1;
    qint64 endMs = -1;
    qint64 bytesReceived = 0; // the lines and body so far; exact once ended
    std::optional<WireObserver::End> end;
    bool replyCut = false; // the end's content or reasoning was kept in part (kMaxReplyChars)

    qint64 keptBytes = 0; // what it holds in memory, roughly (for the ring's bound)

    bool isRunning() const { return !end.has_value(); }
    // The received lines as they came (an .sse file moonpane-fake-server replays).
    QByteArray rawStream() const;

    static WireLineKind kindOf(const WireLine &line);
};

class WireRecorder final : public QObject, public WireObserver
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WireRecorder)

public:
    static constexpr qint64 kMaxBytes = qint64(8) << 20;
    static constexpr qint64 kMaxExchangeBytes = qint64(4) << 20;
    // The assembled reply's content and reasoning are kept up to this many characters each.
    static constexpr qsizetype kMaxReplyChars = 256 * 1024;

    explicit WireRecorder(QObject *parent = nullptr);
    ~WireRecorder() override;

    // Everything the recorder is told goes on to `sink` too, as it comes. Not owned.
    void addSink(WireObserver *sink);
    void removeSink(WireObserver *sink);

    // Oldest first.
    const QList<WireExchange> &exchanges() const { return m_exchanges; }
    const WireExchange *find(qint64 id) const;
    int indexOf(qint64 id) const;
    qint64 bytes() const { return m_bytes; }
    void clear();
    // Whether anyone follows the lines as they come (the Wire tab, while it is shown).
    bool isWatched() const;

    // WireObserver
    void requestSent(const Request &request) override;
    void responseStarted(int status, const QByteArray &reason, const Headers &headers) override;
    void lineReceived(std::string_view line) override;
    void bodyReceived(const QByteArray &body) override;
    void noted(const QString &text) override;
    void moment(Moment moment) override;
    void ended(const End &end) override;

signals:
    void exchangeAdded(qint64 id); // appended at the end
    void exchangesAboutToBeDropped(int count); // from the front (the ring's bound)
    void exchangesDropped(int count);
    void linesAdded(qint64 id, int first, int count);
    void exchangeChanged(qint64 id); // status, headers, body, notes, moments, the end
    void aboutToBeCleared();
    void cleared();

private:
    WireExchange *current();
    // `exchange` (the newest) holds `bytes` more; the oldest go while the ring is over its bound.
    void grow(WireExchange *exchange, qint64 bytes);

    QList<WireExchange> m_exchanges;
    QList<WireObserver *> m_sinks;
    QElapsedTimer m_clock;
    qint64 m_nextId = 1;
    qint64 m_bytes = 0;
};

} // namespace moonpane
