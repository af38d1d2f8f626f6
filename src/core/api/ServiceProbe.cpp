#include "ServiceProbe.h"

#include "ChatCall.h"
#include "ChatClient.h"
#include "ChatRequest.h"
#include "Redirect.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace moonpane {

QString ServiceProbe::TestResult::message() const
{
    if (ok) {
        const QString said = reply.simplified().left(60);
        return tr("It works: the model answered “%1” in %2 s.")
            .arg(said)
            .arg(static_cast<double>(milliseconds) / 1000.0, 0, 'f', 1);
    }
    return error.summary() + u"\n"_s + error.advice();
}

namespace {
constexpr qint64 kMaxModelsBytes = 4 << 20; // a model list, not a download
} // namespace

ServiceProbe::ServiceProbe(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy); // see Redirect
}

void ServiceProbe::test(const Endpoint &endpoint, const QString &model,
                        std::function<void(const TestResult &)> done)
{
    auto *client = new ChatClient(this);
    client->setEndpoint(endpoint);
    ChatRequest request;
    request.parameters.model = model;
    request.parameters.thinking = ThinkingMode::Disabled; // a quick answer, no reasoning to pay for
    request.parameters.maxCompletionTokens = 16;
    request.parameters.stream = false;
    request.messages = {ChatMessage::user(u"Reply with the single word OK."_s)};
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    ChatCall *call = client->send(request);
    connect(call, &ChatCall::finished, this, [call, client, clock, done] {
        TestResult result;
        result.ok = call->outcome() == ChatCall::Outcome::Complete;
        result.reply = call->reply().content;
        result.error = call->error();
        result.milliseconds = clock->elapsed();
        client->deleteLater();
        done(result);
    });
}

QStringList ServiceProbe::parseModels(const QByteArray &json)
{
    QStringList ids;
    for (const QJsonValue &entry : QJsonDocument::fromJson(json).object().value("data"_L1).toArray()) {
        const QString id = entry.toObject().value("id"_L1).toString();
        if (!id.isEmpty())
            ids.append(id);
    }
    ids.sort();
    ids.removeDuplicates();
    return ids;
}

void ServiceProbe::listModels(const Endpoint &endpoint,
                              std::function<void(const QStringList &, const ApiError &)> done)
{
    if (const ApiError refusal = ChatClient::insecureRefusal(endpoint); refusal.isError()) {
        QMetaObject::invokeMethod(
            this, [done, refusal] { done({}, refusal); }, Qt::QueuedConnection);
        return;
    }
    ChatClient::warnIfInsecure(endpoint);
    QNetworkRequest request(endpoint.modelsUrl());
    request.setRawHeader("Accept", "application/json");
    if (!endpoint.apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + endpoint.apiKey.toUtf8());
    request.setTransferTimeout(static_cast<int>(endpoint.connectTimeout.count()));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    get(request, endpoint.apiKey, 0, std::move(done));
}

void ServiceProbe::get(const QNetworkRequest &request, const QString &secret, int hops,
                       std::function<void(const QStringList &, const ApiError &)> done)
{
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, request, secret, hops, done] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (Redirect::isRedirect(status)) {
            const Redirect redirect =
                Redirect::decide(reply->url(), status, reply->rawHeader("Location"), false, hops);
            if (!redirect.follow) {
                done({}, redirect.error);
                return;
            }
            QNetworkRequest next = request;
            next.setUrl(redirect.target);
            get(next, secret, hops + 1, done);
            return;
        }
        const QByteArray body = reply->read(kMaxModelsBytes);
        if (status >= 200 && status < 300) {
            done(parseModels(body), {});
            return;
        }
        const ApiError error = status
            ? ApiError::fromHttpResponse(
                status, reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray(), body,
                reply->rawHeader("Retry-After"))
            : ApiError::make(ApiError::Kind::Transport, reply->errorString());
        done({}, error.redacted(secret));
    });
}

} // namespace moonpane
