// libFuzzer target: arbitrary bytes as a JSON Lines export given to "import", through the real
// ConversationStore on a real SQLite file. A refusal says why and imports nothing; what is
// accepted is all there afterwards, and exporting it again gives a file that imports again.
#include "storage/ConversationStore.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace {

QCoreApplication *application = nullptr;

struct Fixture
{
    QTemporaryDir dir;
    moonpane::ConversationStore store;
};

Fixture *fixture = nullptr;

int conversationCount()
{
    return static_cast<int>(fixture->store.conversations().size());
}

void removeAll()
{
    for (moonpane::Conversation *c : fixture->store.conversations()) {
        fixture->store.remove(c->id);
        fixture->store.commitRemove();
    }
    fixture->store.flush();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    // Never destroyed: torn down after main, Qt's per-thread font and event caches would
    // be left half freed; alive, everything stays reachable (and is not a leak).
    application = new QCoreApplication(*argc, *argv);
    fixture = new Fixture;
    QString error;
    if (!fixture->store.open(fixture->dir.filePath(QStringLiteral("moonpane.db")), &error, false))
        qFatal("cannot open the store: %s", qPrintable(error));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    QByteArray bytes(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    QBuffer input(&bytes);
    input.open(QIODevice::ReadOnly);
    QString error;
    const int imported = fixture->store.importAll(&input, &error);
    fixture->store.flush();
    if (imported < 0) {
        if (error.isEmpty() || conversationCount() != 0)
            __builtin_trap(); // a refusal says why, and nothing was imported
        return 0;
    }
    if (conversationCount() != imported)
        __builtin_trap(); // what was accepted is all there
    for (moonpane::Conversation *c : fixture->store.conversations())
        c->ensureText(c->messageIds());

    // What was imported exports and imports again, whole.
    QBuffer exported;
    exported.open(QIODevice::WriteOnly);
    if (!fixture->store.exportAll(&exported, &error))
        __builtin_trap();
    exported.close();
    removeAll();
    QByteArray again = exported.data();
    QBuffer second(&again);
    second.open(QIODevice::ReadOnly);
    if (fixture->store.importAll(&second, &error) != imported)
        __builtin_trap();
    fixture->store.flush();
    removeAll();
    return 0;
}
