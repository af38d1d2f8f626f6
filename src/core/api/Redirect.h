// Which redirects a request that carries the API key may follow. Qt's default policy follows a
// redirect to any host with the Authorization header (and, for 307/308, the whole body), so every
// request that carries the key is sent with a manual policy and asks here: a redirect is followed
// only to the same origin (scheme, host and port), at most kMaxHops times, and a POST only when the
// status keeps its method and body (307, 308). Anything else ends the request with an error that
// names the Location; nothing is sent there.
#pragma once

#include "ApiError.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QUrl>

namespace moonpane {

struct Redirect
{
    Q_DECLARE_TR_FUNCTIONS(Redirect)

public:
    static constexpr int kMaxHops = 5;

    bool follow = false;
    QUrl target; // resolved against the request's URL; set when follow
    ApiError error; // set when not followed

    static bool isRedirect(int status)
    {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
    static bool sameOrigin(const QUrl &a, const QUrl &b);

    // The decision for a response of `status` with `location` to a request for `from`, which is
    // hop number `hops` (0: the first request). `post`: the request has a body to keep.
    static Redirect decide(const QUrl &from, int status, const QByteArray &location, bool post, int hops);
};

} // namespace moonpane
