// The wire inspector's models over a WireRecorder. WireExchangeModel: one row per request of
// the conversation (round, model, status, time, bytes up and down, when). WireLineModel: the
// received lines of one request (milliseconds since the request, what the line is, the line),
// appended as they come (the lines of one frame together), never the list again. Both follow the recorder
// only while they have one: set none when nobody looks, and the recorder's signals go nowhere.
#pragma once

#include "WireRecorder.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace moonpane {

class WireExchangeModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Round, Model, Status, Time, Up, Down, Started, ColumnCount };
    enum Roles {
        IdRole = Qt::UserRole + 1, // WireExchange::id
        MessageIdRole, // the message the request answers into
    };

    explicit WireExchangeModel(QObject *parent = nullptr);
    void setRecorder(WireRecorder *recorder);
    WireRecorder *recorder() const { return m_recorder; }
    const WireExchange *exchangeAt(int row) const;
    int rowOf(qint64 id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString statusText(const WireExchange &exchange);
    static QString bytesText(qint64 bytes);

private:
    void flushChanged(); // a running request's bytes, at most every kRefreshMs

    static constexpr int kRefreshMs = 100;
    QPointer<WireRecorder> m_recorder;
    int m_rows = 0;
    int m_dropping = 0;
    QSet<qint64> m_changed;
    QTimer m_refresh;
    QList<QMetaObject::Connection> m_connections;
};

class WireLineModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Kind, Line, ColumnCount };
    enum Roles {
        KindRole = Qt::UserRole + 1, // WireLineKind as int
        TextRole, // the whole line (Display elides a long one)
    };
    static constexpr qsizetype kShownChars = 400; // of a line, in the Line column
    // Lines that arrive within this many milliseconds are appended together: a view repaints
    // what it shows once per frame, not once per line.
    static constexpr int kBatchMs = 50;

    explicit WireLineModel(QObject *parent = nullptr);
    void setRecorder(WireRecorder *recorder);
    // The request whose lines to list (0: none).
    void setExchange(qint64 id);
    qint64 exchange() const { return m_id; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString kindText(WireLineKind kind);

    // Appends the lines that came since the last batch now (tests, and before a reset).
    void flush();

private:
    const WireExchange *shown() const;
    void reload();

    QPointer<WireRecorder> m_recorder;
    qint64 m_id = 0;
    int m_rows = 0;
    int m_arrived = 0; // lines of the shown request known to the recorder; rows lag behind
    QTimer m_batch;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace moonpane
