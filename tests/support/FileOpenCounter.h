// Counts the files the main thread opens, for the tests and benchmarks that prove the UI thread
// never touches the disk while it paints or scrolls. It interposes libc's open, open64, openat,
// openat64, fopen and fopen64 for the whole process (QFile, SQLite and fontconfig all go through
// them) and forwards every call unchanged; only calls made on the main thread, between start()
// and stop(), are counted.
#pragma once

#include <QStringList>

namespace moonpane::test {

class FileOpenCounter final
{
public:
    static void start(); // from zero
    static void stop();
    static void resume(); // counts on from where stop() left it
    static quint64 count();
    // What was opened (the first few), to say what went wrong.
    static QStringList paths();
};

} // namespace moonpane::test
