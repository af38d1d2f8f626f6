// ServiceProbe asks the server two small questions for the settings: does a tiny chat request
// work with this base URL, key and model (the Test button), and which models does GET /v1/models
// list (when the server offers it).
#pragma once

#include "ApiError.h"
#include "Endpoint.h"

#include <QObject>
#include <QStringList>

#include <functional>

class QNetworkAccessManager;
class QNetworkRequest;

namespace moonpane {

class ServiceProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServiceProbe)

public:
    struct TestResult
    {
        bool ok = false;
        QString reply; // what the model answered
        qint64 milliseconds = 0;
        ApiError error;
        QString message() const; // a sentence for the settings dialog
    };

    explicit ServiceProbe(QObject *parent = nullptr);

    void test(const Endpoint &endpoint, const QString &model, std::function<void(const TestResult &)> done);
    void listModels(const Endpoint &endpoint,
                    std::function<void(const QStringList &, const ApiError &)> done);

    // The model ids in a /v1/models body ({"data":[{"id":...}]}), sorted; empty if none.
    static QStringList parseModels(const QByteArray &json);

private:
    // GETs with redirects decided by Redirect; `secret` is masked in errors.
    void get(const QNetworkRequest &request, const QString &secret, int hops,
             std::function<void(const QStringList &, const ApiError &)> done);

    QNetworkAccessManager *m_network;
};

} // namespace moonpane
