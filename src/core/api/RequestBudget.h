// What the next request will weigh, before it is sent: its size as the server will receive it
// (media as base64 included), against the API's limit, with the media that make it up, largest
// first, and what the media policy leaves out. Worked out from references, reading no file.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace moonpane {

struct RequestBudget
{
    struct Medium
    {
        QString name;
        bool video = false;
        qint64 bytes = 0; // what it adds to the request (its data URI)
        int turnsAgo = 0; // 0: the message being sent
    };

    qint64 bytes = -1; // -1: not known yet (the history's text is still being read)
    qint64 limit = 0;
    QList<Medium> media; // largest first
    QStringList leftOut; // media of earlier turns the request leaves out, as the text it sends instead

    bool isKnown() const { return bytes >= 0; }
    bool isOver() const { return isKnown() && bytes > limit; }
    qint64 mediaBytes() const
    {
        qint64 total = 0;
        for (const Medium &m : media)
            total += m.bytes;
        return total;
    }
};

} // namespace moonpane
