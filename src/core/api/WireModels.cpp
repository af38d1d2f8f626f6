#include "WireModels.h"

#include <QCoreApplication>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

void disconnectAll(QList<QMetaObject::Connection> *connections)
{
    for (const QMetaObject::Connection &connection : std::as_const(*connections))
        QObject::disconnect(connection);
    connections->clear();
}

} // namespace

// --- WireExchangeModel ---

WireExchangeModel::WireExchangeModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_refresh.setSingleShot(true);
    m_refresh.setInterval(kRefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &WireExchangeModel::flushChanged);
}

void WireExchangeModel::setRecorder(WireRecorder *recorder)
{
    if (recorder == m_recorder && (recorder || m_rows == 0))
        return;
    beginResetModel();
    disconnectAll(&m_connections);
    m_changed.clear();
    m_refresh.stop();
    m_recorder = recorder;
    m_rows = recorder ? int(recorder->exchanges().size()) : 0;
    endResetModel();
    if (!recorder)
        return;
    m_connections << connect(recorder, &WireRecorder::exchangeAdded, this, [this](qint64) {
        const int count = int(m_recorder->exchanges().size());
        if (count <= m_rows)
            return;
        beginInsertRows({}, m_rows, count - 1);
        m_rows = count;
        endInsertRows();
    });
    m_connections << connect(recorder, &WireRecorder::exchangesAboutToBeDropped, this, [this](int count) {
        m_dropping = std::min(count, m_rows);
        if (m_dropping > 0)
            beginRemoveRows({}, 0, m_dropping - 1);
    });
    m_connections << connect(recorder, &WireRecorder::exchangesDropped, this, [this] {
        if (m_dropping <= 0)
            return;
        m_rows -= std::exchange(m_dropping, 0);
        endRemoveRows();
    });
    m_connections << connect(recorder, &WireRecorder::exchangeChanged, this, [this](qint64 id) {
        m_changed.insert(id);
        flushChanged(); // status, headers, the end: at once
    });
    m_connections << connect(recorder, &WireRecorder::linesAdded, this, [this](qint64 id) {
        m_changed.insert(id); // bytes down: soon, not per line
        if (!m_refresh.isActive())
            m_refresh.start();
    });
    m_connections << connect(recorder, &WireRecorder::aboutToBeCleared, this, [this] { beginResetModel(); });
    m_connections << connect(recorder, &WireRecorder::cleared, this, [this] {
        m_rows = 0;
        m_changed.clear();
        endResetModel();
    });
}

void WireExchangeModel::flushChanged()
{
    m_refresh.stop();
    for (const qint64 id : std::as_const(m_changed)) {
        const int row = rowOf(id);
        if (row >= 0)
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    m_changed.clear();
}

const WireExchange *WireExchangeModel::exchangeAt(int row) const
{
    if (!m_recorder || row < 0 || row >= m_rows || row >= m_recorder->exchanges().size())
        return nullptr;
    return &m_recorder->exchanges().at(row);
}

int WireExchangeModel::rowOf(qint64 id) const
{
    const int row = m_recorder ? m_recorder->indexOf(id) : -1;
    return row < m_rows ? row : -1;
}

int WireExchangeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int WireExchangeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString WireExchangeModel::statusText(const WireExchange &exchange)
{
    if (exchange.isRunning())
        return exchange.status == 0 ? tr("sent") : tr("%1 · receiving").arg(exchange.status);
    const WireObserver::End &end = *exchange.end;
    if (end.outcome == "Complete"_L1)
        return QString::number(exchange.status);
    if (end.outcome == "Cancelled"_L1)
        return exchange.status ? tr("%1 · stopped").arg(exchange.status) : tr("stopped");
    if (exchange.status == 0)
        return tr("no answer");
    if (exchange.status >= 200 && exchange.status < 300)
        return tr("%1 · cut off").arg(exchange.status);
    return QString::number(exchange.status);
}

QString WireExchangeModel::bytesText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QVariant WireExchangeModel::data(const QModelIndex &index, int role) const
{
    const WireExchange *exchange = index.isValid() ? exchangeAt(index.row()) : nullptr;
    if (!exchange)
        return {};
    if (role == IdRole)
        return exchange->id;
    if (role == MessageIdRole)
        return exchange->tag.messageId;
    if (role == Qt::TextAlignmentRole
        && (index.column() == Up || index.column() == Down || index.column() == Time))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Status && exchange->end
        && exchange->end->error.isError())
        return exchange->end->error.summary();
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Round:
        return exchange->tag.round > 0 ? QVariant(exchange->tag.round) : QVariant(u"–"_s);
    case Model:
        return exchange->model;
    case Status:
        return statusText(*exchange);
    case Time:
        return exchange->endMs >= 0 ? tr("%1 ms").arg(QLocale().toString(exchange->endMs)) : QString();
    case Up:
        return bytesText(exchange->requestBody.size());
    case Down:
        return bytesText(exchange->bytesReceived);
    case Started:
        return QLocale().toString(exchange->startedAt.time(), u"HH:mm:ss"_s);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant WireExchangeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Round:
        return tr("Round");
    case Model:
        return tr("Model");
    case Status:
        return tr("Status");
    case Time:
        return tr("Time");
    case Up:
        return tr("Up");
    case Down:
        return tr("Down");
    case Started:
        return tr("Sent");
    case ColumnCount:
        break;
    }
    return {};
}

// --- WireLineModel ---

WireLineModel::WireLineModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_batch.setSingleShot(true);
    m_batch.setInterval(kBatchMs);
    connect(&m_batch, &QTimer::timeout, this, &WireLineModel::flush);
}

void WireLineModel::flush()
{
    m_batch.stop();
    if (m_arrived <= m_rows)
        return;
    beginInsertRows({}, m_rows, m_arrived - 1);
    m_rows = m_arrived;
    endInsertRows();
}

void WireLineModel::setRecorder(WireRecorder *recorder)
{
    if (recorder == m_recorder && (recorder || m_rows == 0))
        return;
    disconnectAll(&m_connections);
    m_recorder = recorder;
    m_id = 0;
    reload();
    if (!recorder)
        return;
    m_connections << connect(recorder, &WireRecorder::linesAdded, this,
                             [this](qint64 id, int first, int count) {
                                 if (id != m_id || first + count <= m_arrived)
                                     return;
                                 m_arrived = first + count;
                                 if (!m_batch.isActive())
                                     m_batch.start();
                             });
    m_connections << connect(recorder, &WireRecorder::exchangeChanged, this, [this](qint64 id) {
        if (id != m_id)
            return;
        const WireExchange *exchange = shown();
        if (exchange && exchange->end) {
            flush(); // the end: every line in view now
            // The end can flag a line the decoder could not read.
            if (m_rows > 0)
                emit dataChanged(index(0, 0), index(m_rows - 1, ColumnCount - 1));
        }
    });
    // The request shown going away (the ring's bound, or cleared): nothing is shown.
    m_connections << connect(recorder, &WireRecorder::exchangesAboutToBeDropped, this, [this](int count) {
        const int index = m_recorder->indexOf(m_id);
        if (m_id && index >= 0 && index < count)
            setExchange(0);
    });
    m_connections << connect(recorder, &WireRecorder::aboutToBeCleared, this, [this] { setExchange(0); });
}

void WireLineModel::setExchange(qint64 id)
{
    if (id == m_id && (id != 0 || m_rows == 0))
        return;
    m_id = id;
    reload();
}

void WireLineModel::reload()
{
    beginResetModel();
    m_batch.stop();
    const WireExchange *exchange = shown();
    m_rows = exchange ? int(exchange->lines.size()) : 0;
    m_arrived = m_rows;
    endResetModel();
}

const WireExchange *WireLineModel::shown() const
{
    return m_recorder && m_id ? m_recorder->find(m_id) : nullptr;
}

int WireLineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int WireLineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString WireLineModel::kindText(WireLineKind kind)
{
    switch (kind) {
    case WireLineKind::Data:
        return tr("data");
    case WireLineKind::Done:
        return tr("done");
    case WireLineKind::Comment:
        return tr("comment");
    case WireLineKind::Blank:
        return QString();
    case WireLineKind::Field:
        return tr("field");
    case WireLineKind::Malformed:
        return tr("malformed");
    }
    return {};
}

QVariant WireLineModel::data(const QModelIndex &index, int role) const
{
    const WireExchange *exchange = shown();
    if (!exchange || !index.isValid() || index.row() >= m_rows || index.row() >= exchange->lines.size())
        return {};
    const WireLine &line = exchange->lines.at(index.row());
    const WireLineKind kind = WireExchange::kindOf(line);
    switch (role) {
    case KindRole:
        return int(kind);
    case TextRole:
        return QString::fromUtf8(line.text);
    case Qt::ToolTipRole:
        if (kind == WireLineKind::Malformed)
            return line.unreadable ? tr("The decoder could not read this data; the stream ended here.")
                                   : tr("Not a line of an event stream.");
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Time ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Time:
            return tr("+%1 ms").arg(line.ms);
        case Kind:
            return kindText(kind);
        case Line:
            if (line.text.size() > kShownChars)
                return QString(QString::fromUtf8(line.text.left(kShownChars)) + u"…"_s);
            return QString::fromUtf8(line.text);
        case ColumnCount:
            break;
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant WireLineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Kind:
        return tr("Kind");
    case Line:
        return tr("Line");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace moonpane
