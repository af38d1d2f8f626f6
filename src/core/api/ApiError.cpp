#include "ApiError.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

constexpr int kMaxMessageChars = 300;

QString oneLine(QString text)
{
    text = text.simplified();
    if (text.size() > kMaxMessageChars)
        text = text.left(kMaxMessageChars - 1) + u'…';
    return text;
}

// Decodes the character references an error page title is likely to hold.
QString decodeEntities(QString text)
{
    static const QRegularExpression reference(u"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);"_s);
    QString out;
    qsizetype last = 0;
    for (auto it = reference.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        out += QStringView(text).mid(last, match.capturedStart() - last);
        last = match.capturedEnd();
        const QString name = match.captured(1);
        char32_t code = 0;
        if (name.startsWith(u"#x"_s, Qt::CaseInsensitive))
            code = name.mid(2).toUInt(nullptr, 16);
        else if (name.startsWith(u'#'))
            code = name.mid(1).toUInt();
        else if (name == "amp"_L1)
            code = '&';
        else if (name == "lt"_L1)
            code = '<';
        else if (name == "gt"_L1)
            code = '>';
        else if (name == "quot"_L1)
            code = '"';
        else if (name == "apos"_L1)
            code = '\'';
        else if (name == "nbsp"_L1)
            code = ' ';
        if (code > 0 && code <= 0x10FFFF)
            out += QString::fromUcs4(&code, 1);
        else
            out += match.captured(0);
    }
    out += QStringView(text).mid(last);
    return out;
}

QString jsonScalarText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toInteger());
    return {};
}

} // namespace

ApiError ApiError::make(Kind kind, const QString &message)
{
    ApiError error;
    error.kind = kind;
    error.message = message;
    return error;
}

bool ApiError::isRetryable() const
{
    switch (kind) {
    case Kind::Http:
        return httpStatus == 408 || httpStatus == 429 || httpStatus == 499 || httpStatus >= 500;
    case Kind::Stream:
    case Kind::Protocol:
    case Kind::Transport:
    case Kind::Timeout:
    case Kind::Cancelled:
        return true;
    case Kind::None:
    case Kind::Validation:
        return false;
    }
    return false;
}

void ApiError::readErrorObject(const QJsonObject &error)
{
    type = error.value("type"_L1).toString();
    code = jsonScalarText(error.value("code"_L1));
    if (code.isEmpty())
        code = type;
    if (code.isEmpty()) // OpenRouter puts the upstream kind in metadata.error_type
        code = error.value("metadata"_L1).toObject().value("error_type"_L1).toString();
    message = oneLine(error.value("message"_L1).toString());
}

ApiError ApiError::fromHttpResponse(int status, const QByteArray &reasonPhrase, const QByteArray &body,
                                    const QByteArray &retryAfterHeader)
{
    ApiError error;
    error.kind = Kind::Http;
    error.httpStatus = status;
    error.retryAfterSeconds = parseRetryAfter(retryAfterHeader);

    const QByteArray trimmed = body.trimmed();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(trimmed, &parseError);
    if (parseError.error == QJsonParseError::NoError && document.isObject()) {
        const QJsonObject object = document.object();
        const QJsonValue inner = object.value("error"_L1);
        if (inner.isObject())
            error.readErrorObject(inner.toObject());
        else if (inner.isString())
            error.message = oneLine(inner.toString());
        else
            error.message = oneLine(object.value("message"_L1).toString());
    } else if (trimmed.startsWith('<')) {
        error.message = htmlGist(trimmed);
    } else if (!trimmed.isEmpty()) {
        error.message = oneLine(QString::fromUtf8(trimmed));
    }
    if (error.message.isEmpty())
        error.message = reasonPhrase.isEmpty() ? QCoreApplication::translate("ApiError", "no error message")
                                               : QString::fromUtf8(reasonPhrase);
    return error;
}

ApiError ApiError::fromStreamError(const QByteArray &errorJson)
{
    ApiError error;
    error.kind = Kind::Stream;
    // Wrapped, so that a bare string or number parses too.
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson("{\"e\":" + errorJson + '}', &parseError);
    QJsonValue value = parseError.error == QJsonParseError::NoError
        ? document.object().value("e"_L1)
        : QJsonValue(QString::fromUtf8(errorJson));
    if (value.isObject() && value.toObject().value("error"_L1).isObject())
        value = value.toObject().value("error"_L1);
    if (value.isObject())
        error.readErrorObject(value.toObject());
    else
        error.message = oneLine(jsonScalarText(value));
    if (error.message.isEmpty())
        error.message = QCoreApplication::translate(
            "ApiError", "the server reported an error in the stream without a message");
    return error;
}

std::optional<int> ApiError::parseRetryAfter(const QByteArray &header)
{
    const QByteArray value = header.trimmed();
    if (value.isEmpty())
        return std::nullopt;
    bool ok = false;
    const double seconds = value.toDouble(&ok);
    if (ok && seconds >= 0)
        return static_cast<int>(std::min(seconds + 0.999, 86400.0));
    // An HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT"); Qt's RFC 2822 parser wants a numeric zone.
    QString date = QString::fromLatin1(value);
    if (date.endsWith(" GMT"_L1) || date.endsWith(" UTC"_L1))
        date = date.chopped(4) + " +0000"_L1;
    const QDateTime when = QDateTime::fromString(date, Qt::RFC2822Date);
    if (when.isValid())
        return static_cast<int>(std::clamp<qint64>(QDateTime::currentDateTimeUtc().secsTo(when), 0, 86400));
    return std::nullopt;
}

QString ApiError::htmlGist(const QByteArray &html)
{
    const QString text = QString::fromUtf8(html);
    static const QRegularExpression title(u"<title[^>]*>(.*?)</title>"_s,
                                          QRegularExpression::CaseInsensitiveOption
                                              | QRegularExpression::DotMatchesEverythingOption);
    if (const auto match = title.match(text); match.hasMatch()) {
        const QString gist = oneLine(decodeEntities(match.captured(1)));
        if (!gist.isEmpty())
            return gist + QCoreApplication::translate("ApiError", " (HTML error page)");
    }
    static const QRegularExpression noise(u"<(script|style|head)[^>]*>.*?</\\1>"_s,
                                          QRegularExpression::CaseInsensitiveOption
                                              | QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression tags(u"<[^>]*>"_s);
    QString stripped = text;
    stripped.remove(noise).replace(tags, u" "_s);
    const QString gist = oneLine(decodeEntities(stripped));
    return gist.isEmpty() ? QCoreApplication::translate("ApiError", "an HTML error page")
                          : gist + QCoreApplication::translate("ApiError", " (HTML error page)");
}

QString ApiError::summary() const
{
    switch (kind) {
    case Kind::Http: {
        QString line = u"HTTP %1"_s.arg(httpStatus);
        if (!code.isEmpty())
            line += u' ' + code;
        line += u": "_s + message;
        if (retryAfterSeconds)
            line += QCoreApplication::translate("ApiError", " (retry after %1 s)").arg(*retryAfterSeconds);
        return line;
    }
    case Kind::Stream:
        return QCoreApplication::translate("ApiError", "stream %1: %2")
            .arg(code.isEmpty() ? u"error"_s : code, message);
    case Kind::None:
        return {};
    case Kind::Validation:
    case Kind::Protocol:
    case Kind::Transport:
    case Kind::Timeout:
    case Kind::Cancelled:
        return message;
    }
    return message;
}

QString ApiError::redact(QString text, const QString &secret)
{
    if (!secret.isEmpty())
        text.replace(secret, u"[redacted]"_s);
    return text;
}

ApiError ApiError::redacted(const QString &secret) const
{
    if (secret.isEmpty())
        return *this;
    ApiError error = *this;
    error.code = redact(code, secret);
    error.type = redact(type, secret);
    error.message = redact(message, secret);
    error.requestId = redact(requestId, secret);
    return error;
}

QString ApiError::advice() const
{
    const QString wait = retryAfterSeconds ? tr("Wait %1 s, then retry.").arg(*retryAfterSeconds)
                                           : tr("Wait a little, then retry.");
    // Moonpane's own refusals to send the key somewhere.
    if (code == "redirect_refused"_L1)
        return tr(
            "Check the base URL (Settings → Account, MOONPANE_BASE_URL or --base-url). Moonpane follows "
            "a redirect only to the same server, so that the key goes nowhere else.");
    if (code == "insecure_refused"_L1)
        return tr("Use an https:// base URL, or allow plain http to this host: in the app under Settings → "
                  "Account, in moonpane-cli with --allow-insecure.");
    switch (kind) {
    case Kind::None:
        return {};
    case Kind::Validation:
        return tr("Fix the request and send it again; nothing was sent.");
    case Kind::Stream:
        return tr("The server stopped the reply with an error. The part that arrived is kept; retry to get a "
                  "whole reply.");
    case Kind::Protocol:
        return tr("The server's reply could not be read. Check that the base URL points at an "
                  "OpenAI-compatible API, then retry.");
    case Kind::Transport:
        return tr("Check your network connection and the base URL, then retry.");
    case Kind::Timeout:
        return tr("The server went quiet. Retry; if it keeps happening, raise the timeout in Settings.");
    case Kind::Cancelled:
        return tr("Stopped. The part that arrived is kept.");
    case Kind::Http:
        break;
    }
    if (code == "content_filter"_L1)
        return tr("The request or reply was flagged as high risk. Rephrase the message and send it again.");
    switch (httpStatus) {
    case 400:
        if (message.contains("temperature"_L1) || message.contains("top_p"_L1)
            || message.contains("penalty"_L1))
            return tr(
                "This model fixes its sampling parameters. Unset temperature, top_p and the penalties in "
                "the conversation's parameters, then resend.");
        if (message.contains("token"_L1) && (message.contains("long"_L1) || message.contains("exceed"_L1)))
            return tr("The conversation is too long for the model's context window. Start a new chat, remove "
                      "earlier messages or lower max_completion_tokens.");
        return tr("The server refused the request as invalid. Check the conversation's parameters and "
                  "attachments.");
    case 401:
        return tr("The server rejected the API key (401). Set a valid key: in the app under Settings → "
                  "Account, or in the MOONPANE_API_KEY environment variable.");
    case 403:
        return tr("The key is not allowed to use this API or model (403). Check your account's permissions.");
    case 404:
        return tr(
            "The server does not know this endpoint or model (404). Check the base URL and the model id.");
    case 413:
        return tr("The request is too large for the server. Remove or shrink attachments.");
    case 429:
        if (code == "exceeded_current_quota_error"_L1 || message.contains("quota"_L1)
            || message.contains("balance"_L1))
            return tr("Your account is out of quota or balance (429). Top up, then retry.");
        return tr("Too many requests or the model is overloaded (429). ") + wait;
    case 504:
        return tr("The gateway timed out waiting for the model (504). Retry; streamed replies avoid this.");
    default:
        break;
    }
    if (httpStatus >= 500)
        return tr("The server had a problem (%1). ").arg(httpStatus) + wait;
    return tr("The server refused the request (%1).").arg(httpStatus);
}

} // namespace moonpane
