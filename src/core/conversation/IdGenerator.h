// Ids for conversations and messages, made without asking the database: milliseconds since
// 2026-01-01 in the high bits, a random per-process salt, and a counter. They increase within a
// process, and the app and the CLI writing the same database at once do not collide (short of a
// 1 in 16,384 chance when both make an id in the same millisecond). So the UI never waits for
// an INSERT to learn an id.
#pragma once

#include <QtGlobal>

namespace moonpane::IdGenerator {

qint64 next();

} // namespace moonpane::IdGenerator
