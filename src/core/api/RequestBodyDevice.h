// The device a request body is uploaded from. A thread of its own writes the body into a
// bounded buffer, reading each medium's file and base64-encoding it a few megabytes at a time;
// reading from the device (which Qt Network does on the thread that owns the reply, the UI
// thread in the app) only copies what is ready, never waits, and never touches a file. So a
// 100 MB video goes out without its 133 MB of base64 ever existing at once, and the window
// keeps painting while it does.
//
// It is sequential with a known size: post it with that size as Content-Length and
// QNetworkRequest::DoNotBufferUploadDataAttribute, or Qt Network would first read it whole into
// memory. When a file cannot be read as it was referenced (gone, changed), failed() says why;
// the upload must then be aborted, for the body can no longer be what its length promised.
#pragma once

#include "RequestBody.h"

#include <QIODevice>

#include <memory>

namespace moonpane {

class RequestBodyDevice final : public QIODevice
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestBodyDevice)

public:
    // How much encoded body may wait in memory for the network.
    static constexpr qint64 kBufferBytes = 8 << 20;

    explicit RequestBodyDevice(RequestBody body, QObject *parent = nullptr);
    ~RequestBodyDevice() override; // stops the writing thread without waiting for it

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override;
    bool atEnd() const override;
    // The whole body's size, as it will be once written.
    qint64 bodySize() const { return m_size; }
    // Bytes handed out so far.
    qint64 delivered() const { return m_delivered; }
    // Most bytes the buffer held at once (for the benchmark: what the body costs in memory).
    qint64 peakBuffered() const;

signals:
    void failed(const QString &error);

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    struct State;
    std::shared_ptr<State> m_state; // shared with the writing thread, which may outlive the device
    qint64 m_size = 0;
    qint64 m_delivered = 0;
};

} // namespace moonpane
