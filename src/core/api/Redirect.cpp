#include "Redirect.h"

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

int portOf(const QUrl &url)
{
    return url.port(url.scheme().compare("https"_L1, Qt::CaseInsensitive) == 0 ? 443 : 80);
}

ApiError refused(int status, const QString &message)
{
    ApiError error = ApiError::make(ApiError::Kind::Http, message);
    error.httpStatus = status;
    error.code = u"redirect_refused"_s;
    return error;
}

} // namespace

bool Redirect::sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme().compare(b.scheme(), Qt::CaseInsensitive) == 0
        && a.host().compare(b.host(), Qt::CaseInsensitive) == 0 && portOf(a) == portOf(b);
}

Redirect Redirect::decide(const QUrl &from, int status, const QByteArray &location, bool post, int hops)
{
    Redirect redirect;
    const QByteArray trimmed = location.trimmed();
    if (trimmed.isEmpty()) {
        redirect.error =
            refused(status, tr("The server answered %1 (a redirect) without saying where to.").arg(status));
        return redirect;
    }
    const QUrl target = from.resolved(QUrl::fromEncoded(trimmed));
    // What the user sees of the Location: no user info, whatever the server put there.
    const QString shown = target.isValid() ? target.toDisplayString(QUrl::RemoveUserInfo)
                                           : QString::fromLatin1(trimmed.left(200));
    if (!target.isValid() || target.host().isEmpty()) {
        redirect.error = refused(
            status,
            tr("The server redirected the request to \"%1\", which is not a valid address.").arg(shown));
        return redirect;
    }
    if (!sameOrigin(from, target)) {
        redirect.error = refused(
            status,
            tr("The server redirected the request to %1, another server than %2. Moonpane sends the API key "
               "only to the server you chose, so nothing was sent there. If the new address is right, set it "
               "as the base URL.")
                .arg(shown,
                     from.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery
                                          | QUrl::RemoveFragment)));
        return redirect;
    }
    if (post && status != 307 && status != 308) {
        redirect.error =
            refused(status,
                    tr("The server redirected the request to %1 with %2, which would turn it into "
                       "a GET without its body. If the new address is right, set it as the base URL.")
                        .arg(shown)
                        .arg(status));
        return redirect;
    }
    if (hops >= kMaxHops) {
        redirect.error = refused(status,
                                 tr("The server redirected the request more than %1 times; the last "
                                    "Location was %2.")
                                     .arg(kMaxHops)
                                     .arg(shown));
        return redirect;
    }
    redirect.follow = true;
    redirect.target = target;
    return redirect;
}

} // namespace moonpane
