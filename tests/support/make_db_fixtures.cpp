// Writes the database fixture of one earlier schema version, the way that version stored its data:
//   moonpane-make-db-fixtures VERSION OUTDIR  →  OUTDIR/moonpane.db and OUTDIR/attachments/
// A fixture is made once, when its schema version is the newest, and committed; later versions
// add a fixture of their own and never regenerate an older one (tst_ConversationStore migrates
// each). The rows below use only the columns that existed at VERSION.
#include "storage/Database.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>

#include <cstdio>
#include <cstring>

using namespace moonpane;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kPng =
    QByteArray::fromHex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
                        "da63f8ffff3f0005fe02fea7d6a6c50000000049454e44ae426082");

bool exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    std::fprintf(stderr, "%s\n  in: %s\n", qPrintable(query.lastError().text()), qPrintable(sql));
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3) {
        std::fprintf(stderr, "usage: moonpane-make-db-fixtures VERSION OUTDIR\n");
        return 2;
    }
    const int version = args.at(1).toInt();
    if (version < 1 || version > Database::kSchemaVersion) {
        std::fprintf(stderr, "VERSION must be 1 to %d\n", Database::kSchemaVersion);
        return 2;
    }
    const QDir out(args.at(2));
    out.mkpath(u"attachments"_s);
    const QString path = out.filePath(u"moonpane.db"_s);
    QFile::remove(path);
    QString error;
    QSqlDatabase db = Database::open(path, u"fixture"_s, &error, version);
    if (!db.isValid()) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const QString hash =
        QString::fromLatin1(QCryptographicHash::hash(kPng, QCryptographicHash::Sha256).toHex());
    QFile image(out.filePath(u"attachments/"_s + hash));
    if (!image.open(QIODevice::WriteOnly) || image.write(kPng) != kPng.size())
        return 1;
    image.close();

    const qint64 t = 1'790'000'000'000; // 2026-09-21
    // id, parent, position, role, content, reasoning, has_reasoning, tool_calls, tool_call_id, name,
    // finish_reason, usage, state, model, created_at, updated_at
    struct Row
    {
        qint64 id;
        qint64 parent;
        int position;
        const char *role;
        QString content;
        QString reasoning;
        const char *toolCalls;
        const char *toolCallId;
        const char *name;
        const char *finish;
        const char *usage;
        const char *state;
        qint64 at;
    };
    const Row rows[] = {
        {1001,
         0,
         0,
         "user",
         u"Where are the best maples in Kyoto?"_s,
         {},
         nullptr,
         nullptr,
         nullptr,
         nullptr,
         nullptr,
         "complete",
         t},
        {1002,
         1001,
         0,
         "assistant",
         u"Try Arashiyama."_s,
         {},
         nullptr,
         nullptr,
         nullptr,
         "stop",
         nullptr,
         "complete",
         t + 1000},
        {1003, 1001, 1, "assistant", u"Tōfuku-ji, in late November."_s, u"紅葉 season is late November."_s,
         nullptr, nullptr, nullptr, "stop",
         R"({"prompt_tokens":12,"completion_tokens":20,"total_tokens":32})", "complete", t + 2000},
        {1004,
         1003,
         0,
         "assistant",
         QString(),
         {},
         R"([{"id":"get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Kyoto\"}"}}])",
         nullptr,
         nullptr,
         "tool_calls",
         nullptr,
         "complete",
         t + 3000},
        {1005,
         1004,
         0,
         "tool",
         uR"({"temp_c":6})"_s,
         {},
         nullptr,
         "get_weather:0",
         "get_weather",
         nullptr,
         nullptr,
         "complete",
         t + 4000},
        {1006,
         1005,
         0,
         "assistant",
         u"It is cold and"_s,
         {},
         nullptr,
         nullptr,
         nullptr,
         nullptr,
         nullptr,
         "streaming",
         t + 5000},
        {2001,
         0,
         0,
         "user",
         u"A second conversation"_s,
         {},
         nullptr,
         nullptr,
         nullptr,
         nullptr,
         nullptr,
         "complete",
         t + 9000},
    };
    bool ok = exec(db, u"BEGIN"_s);
    ok = ok
        && exec(db,
                u"INSERT INTO conversations (id, title, created_at, updated_at, system_prompt, parameters, "
                u"draft, "
                "active_leaf) VALUES (100, 'Maple season', %1, %2, 'Answer briefly.', "
                "'{\"model\":\"kimi-k2.6\",\"temperature\":0.3}', 'unsent words', 1006)"_s.arg(t)
                    .arg(t + 5000))
        && exec(
             db,
             u"INSERT INTO conversations (id, title, created_at, updated_at) VALUES (200, 'Second', %1, %1)"_s
                 .arg(t + 9000));
    for (const Row &r : rows) {
        QSqlQuery query(db);
        QString columns =
            u"id, conversation_id, parent_id, position, role, content, reasoning, has_reasoning, tool_calls, "
            "tool_call_id, name, finish_reason, usage, state, model, created_at, updated_at"_s;
        QString values = u"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"_s;
        if (version >= 2) { // schema 2 keeps the text length
            columns += u", text_length"_s;
            values += u", ?"_s;
        }
        query.prepare(u"INSERT INTO messages (%1) VALUES (%2)"_s.arg(columns, values));
        const auto text = [](const char *s) {
            return s ? QVariant(QString::fromUtf8(s)) : QVariant(QMetaType::fromType<QString>());
        };
        query.addBindValue(r.id);
        query.addBindValue(r.id / 1000 == 1 ? 100 : 200);
        query.addBindValue(r.parent ? QVariant(r.parent) : QVariant(QMetaType::fromType<qint64>()));
        query.addBindValue(r.position);
        query.addBindValue(QString::fromLatin1(r.role));
        query.addBindValue(r.content.isNull() ? u""_s : r.content);
        query.addBindValue(r.reasoning.isNull() ? u""_s : r.reasoning);
        query.addBindValue(!r.reasoning.isEmpty());
        query.addBindValue(text(r.toolCalls));
        query.addBindValue(text(r.toolCallId));
        query.addBindValue(text(r.name));
        query.addBindValue(text(r.finish));
        query.addBindValue(text(r.usage));
        query.addBindValue(QString::fromLatin1(r.state));
        query.addBindValue(std::strcmp(r.role, "assistant") == 0 ? QVariant(u"kimi-k2.6"_s)
                                                                 : QVariant(QMetaType::fromType<QString>()));
        query.addBindValue(r.at);
        query.addBindValue(r.at);
        if (version >= 2)
            query.addBindValue(r.content.size() + r.reasoning.size());
        if (!query.exec()) {
            std::fprintf(stderr, "%s\n", qPrintable(query.lastError().text()));
            ok = false;
        }
    }
    ok =
        ok
        && exec(
            db,
            version >= 6 // schema 6 knows an image's size in pixels
                ? u"INSERT INTO attachments (hash, mime, size, created_at, width, height) "
                  "VALUES ('%1', 'image/png', %2, %3, 1, 1)"_s.arg(hash)
                      .arg(kPng.size())
                      .arg(t)
                : u"INSERT INTO attachments (hash, mime, size, created_at) VALUES ('%1', 'image/png', %2, %3)"_s
                      .arg(hash)
                      .arg(kPng.size())
                      .arg(t))
        && (version < 6 // schema 6 keeps a draft's media
            || exec(db,
                    u"INSERT INTO draft_attachments (conversation_id, position, hash, name) "
                    "VALUES (100, 0, '%1', 'pixel.png')"_s.arg(hash)))
        && exec(
            db,
            u"INSERT INTO message_attachments (message_id, position, kind, hash) VALUES (1001, 0, 'image', '%1')"_s
                .arg(hash))
        && exec(db, u"COMMIT"_s) && exec(db, u"PRAGMA journal_mode = DELETE"_s) && exec(db, u"VACUUM"_s);
    db.close();
    db = {};
    QSqlDatabase::removeDatabase(u"fixture"_s);
    if (!ok)
        return 1;
    std::printf("%s: schema %d\n", qPrintable(path), version);
    return 0;
}
