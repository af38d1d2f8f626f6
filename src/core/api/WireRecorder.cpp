#include "WireRecorder.h"

#include <QMetaMethod>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

// The model a request body names: its first "model" member, looked for near the start (the
// body's own writer puts it first) without parsing the body.
QString modelOf(const RequestBody &body)
{
    for (const RequestBody::Segment &segment : body.segments()) {
        if (segment.isMedia())
            break;
        const QByteArray head = segment.text.left(4096);
        const qsizetype key = head.indexOf("\"model\"");
        if (key < 0)
            return {};
        const qsizetype open = head.indexOf('"', head.indexOf(':', key) + 1);
        const qsizetype close = open < 0 ? -1 : head.indexOf('"', open + 1);
        return close < 0 ? QString() : QString::fromUtf8(head.mid(open + 1, close - open - 1));
    }
    return {};
}

qint64 headersWeight(const WireObserver::Headers &headers)
{
    qint64 bytes = 0;
    for (const auto &[name, value] : headers)
        bytes += name.size() + value.size() + 16;
    return bytes;
}

} // namespace

QByteArray WireExchange::rawStream() const
{
    QByteArray raw;
    qsizetype size = 0;
    for (const WireLine &line : lines)
        size += line.text.size() + 1;
    raw.reserve(size);
    for (const WireLine &line : lines) {
        raw += line.text;
        raw += '\n';
    }
    return raw;
}

WireLineKind WireExchange::kindOf(const WireLine &line)
{
    const QByteArray &text = line.text;
    if (line.unreadable)
        return WireLineKind::Malformed;
    if (text.isEmpty())
        return WireLineKind::Blank;
    if (text.startsWith(':'))
        return WireLineKind::Comment;
    if (text.startsWith("data:")) {
        const QByteArray value = text.mid(5).trimmed();
        return value == "[DONE]" ? WireLineKind::Done : WireLineKind::Data;
    }
    for (const char *field : {"event:", "id:", "retry:"}) {
        if (text.startsWith(field))
            return WireLineKind::Field;
    }
    // "event", "data" and the like without a colon are fields with an empty value.
    for (const char *field : {"data", "event", "id", "retry"}) {
        if (text == field)
            return WireLineKind::Field;
    }
    return WireLineKind::Malformed;
}

WireRecorder::WireRecorder(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
}

WireRecorder::~WireRecorder() = default;

void WireRecorder::addSink(WireObserver *sink)
{
    if (sink && !m_sinks.contains(sink))
        m_sinks.append(sink);
}

void WireRecorder::removeSink(WireObserver *sink)
{
    m_sinks.removeAll(sink);
}

const WireExchange *WireRecorder::find(qint64 id) const
{
    const int index = indexOf(id);
    return index < 0 ? nullptr : &m_exchanges.at(index);
}

int WireRecorder::indexOf(qint64 id) const
{
    // Ids grow along the list: a binary search.
    const auto it =
        std::lower_bound(m_exchanges.cbegin(), m_exchanges.cend(), id,
                         [](const WireExchange &exchange, qint64 key) { return exchange.id < key; });
    return it != m_exchanges.cend() && it->id == id ? int(it - m_exchanges.cbegin()) : -1;
}

bool WireRecorder::isWatched() const
{
    return isSignalConnected(QMetaMethod::fromSignal(&WireRecorder::linesAdded));
}

void WireRecorder::clear()
{
    emit aboutToBeCleared();
    m_exchanges.clear();
    m_bytes = 0;
    emit cleared();
}

WireExchange *WireRecorder::current()
{
    return m_exchanges.isEmpty() ? nullptr : &m_exchanges.last();
}

void WireRecorder::grow(WireExchange *exchange, qint64 bytes)
{
    exchange->keptBytes += bytes;
    m_bytes += bytes;
    int dropped = 0;
    while (m_bytes > kMaxBytes && m_exchanges.size() - dropped > 1) {
        m_bytes -= m_exchanges.at(dropped).keptBytes;
        ++dropped;
    }
    if (dropped > 0) {
        emit exchangesAboutToBeDropped(dropped);
        m_exchanges.remove(0, dropped);
        emit exchangesDropped(dropped);
    }
}

void WireRecorder::requestSent(const Request &request)
{
    for (WireObserver *sink : std::as_const(m_sinks))
        sink->requestSent(request);
    WireExchange *running = current();
    if (request.redirectHop && running && running->isRunning()) {
        // The same request, going on to where it was sent: its new line and headers.
        ++running->redirects;
        running->url = request.url;
        running->status = 0;
        running->reason.clear();
        running->responseHeaders.clear();
        running->body.clear();
        emit exchangeChanged(running->id);
        return;
    }
    m_clock.restart();
    WireExchange exchange;
    exchange.id = m_nextId++;
    exchange.tag = request.tag;
    exchange.startedAt = QDateTime::currentDateTime();
    exchange.method = request.method;
    exchange.url = request.url;
    exchange.requestHeaders = request.headers;
    exchange.requestBody = request.body;
    exchange.model = modelOf(request.body);
    qint64 weight = 512 + headersWeight(request.headers);
    for (const RequestBody::Segment &segment : request.body.segments())
        weight += segment.text.size() + 64;
    m_exchanges.append(std::move(exchange));
    const qint64 id = m_exchanges.last().id;
    grow(&m_exchanges.last(), weight);
    emit exchangeAdded(id);
}

void WireRecorder::responseStarted(int status, const QByteArray &reason, const Headers &headers)
{
    for (WireObserver *sink : std::as_const(m_sinks))
        sink->responseStarted(status, reason, headers);
    WireExchange *exchange = current();
    if (!exchange)
        return;
    exchange->status = status;
    exchange->reason = reason;
    exchange->responseHeaders = headers;
    exchange->headersMs = m_clock.elapsed();
    const qint64 id = exchange->id;
    grow(exchange, headersWeight(headers)); // may move the exchanges (never drops the newest)
    emit exchangeChanged(id);
}

void WireRecorder::lineReceived(std::string_view line)
{
    for (WireObserver *sink : std::as_const(m_sinks))
        sink->lineReceived(line);
    WireExchange *exchange = current();
    if (!exchange)
        return;
    const auto size = static_cast<qsizetype>(line.size());
    exchange->bytesReceived += size + 1;
    if (exchange->keptBytes > kMaxExchangeBytes) {
        ++exchange->linesDropped;
        return;
    }
    exchange->lines.append({m_clock.elapsed(), QByteArray(line.data(), size), false});
    const int index = int(exchange->lines.size()) - 1;
    const qint64 id = exchange->id;
    grow(exchange, size + qint64(sizeof(WireLine)));
    emit linesAdded(id, index, 1);
}

void WireRecorder::bodyReceived(const QByteArray &body)
{
    for (WireObserver *sink : std::as_const(m_sinks))
        sink->bodyReceived(body);
    WireExchange *exchange = current();
    if (!exchange)
        return;
    exchange->body = body;
    exchange->bytesReceived = body.size();
    const qint64 id = exchange->id;
    grow(exchange, body.size());
    emit exchangeChanged(id);
}

void WireRecorder::noted(const QString &text)
{
    for (WireObserver *sink : std::as_const(m_sinks))
        sink->noted(text);
    WireExchange *exchange = current();
    if (!exchange)
        return;
    exchange->notes.append({m_clock.elapsed(), text});
    const qint64 id = exchange->id;
    grow(exchange, text.size() * 2 + qint64(sizeof(WireNote)));
    emit exchangeChanged(id);
}

void WireRecorder::moment(Moment moment)
{
    for (WireObserver *sink : std::as_const(m_sinks))
        sink->moment(moment);
    WireExchange *exchange = current();
    if (!exchange)
        return;
    const qint64 now = m_clock.elapsed();
    qint64 *field = nullptr;
    switch (moment) {
    case Moment::FirstByte:
        field = &exchange->firstByteMs;
        break;
    case Moment::FirstReasoning:
        field = &exchange->firstReasoningMs;
        break;
    case Moment::FirstContent:
        field = &exchange->firstContentMs;
        break;
    case Moment::FirstToolCall:
        field = &exchange->firstToolCallMs;
        break;
    }
    if (*field < 0) {
        *field = now;
        emit exchangeChanged(exchange->id);
    }
}

void WireRecorder::ended(const End &end)
{
    for (WireObserver *sink : std::as_const(m_sinks))
        sink->ended(end);
    WireExchange *exchange = current();
    if (!exchange || !exchange->isRunning())
        return;
    exchange->endMs = m_clock.elapsed();
    exchange->bytesReceived = end.bytesReceived;
    exchange->end = end;
    for (QString *text : {&exchange->end->reply.content, &exchange->end->reply.reasoningContent}) {
        if (text->size() > kMaxReplyChars) {
            text->truncate(kMaxReplyChars);
            exchange->replyCut = true;
        }
    }
    // Data the decoder could not read ends a stream: the last data line is the one.
    if (end.streamed && end.error.kind == ApiError::Kind::Protocol) {
        for (qsizetype i = exchange->lines.size() - 1; i >= 0; --i) {
            if (WireExchange::kindOf(exchange->lines.at(i)) == WireLineKind::Data) {
                exchange->lines[i].unreadable = true;
                break;
            }
        }
    }
    const qint64 id = exchange->id;
    grow(exchange, (exchange->end->reply.content.size() + exchange->end->reply.reasoningContent.size()) * 2);
    emit exchangeChanged(id);
}

} // namespace moonpane
