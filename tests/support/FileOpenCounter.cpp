// Interposing definitions of libc's file-opening functions (see FileOpenCounter.h). Fortified
// inline wrappers would clash with them, so this file turns fortification off.
#undef _FORTIFY_SOURCE
#include "FileOpenCounter.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <sys/types.h>
#include <unistd.h>

namespace {

std::atomic<bool> counting {false};
std::atomic<quint64> opens {0};
std::mutex pathsMutex;
QStringList seen; // guarded by pathsMutex

bool onMainThread()
{
    return gettid() == getpid();
}

void note(const char *path)
{
    if (!counting.load(std::memory_order_relaxed) || !onMainThread())
        return;
    opens.fetch_add(1, std::memory_order_relaxed);
    counting = false; // QString may allocate; nothing it does must count itself
    {
        std::lock_guard lock(pathsMutex);
        if (seen.size() < 20)
            seen.append(QString::fromLocal8Bit(path ? path : "(null)"));
    }
    counting = true;
}

template<typename F> F real(const char *name)
{
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

mode_t modeOf(int flags, va_list args)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? static_cast<mode_t>(va_arg(args, int)) : 0;
}

} // namespace

extern "C" {

int open(const char *path, int flags, ...)
{
    va_list args;
    va_start(args, flags);
    const mode_t mode = modeOf(flags, args);
    va_end(args);
    note(path);
    static const auto next = real<int (*)(const char *, int, ...)>("open");
    return next(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list args;
    va_start(args, flags);
    const mode_t mode = modeOf(flags, args);
    va_end(args);
    note(path);
    static const auto next = real<int (*)(const char *, int, ...)>("open64");
    return next(path, flags, mode);
}

int openat(int dir, const char *path, int flags, ...)
{
    va_list args;
    va_start(args, flags);
    const mode_t mode = modeOf(flags, args);
    va_end(args);
    note(path);
    static const auto next = real<int (*)(int, const char *, int, ...)>("openat");
    return next(dir, path, flags, mode);
}

int openat64(int dir, const char *path, int flags, ...)
{
    va_list args;
    va_start(args, flags);
    const mode_t mode = modeOf(flags, args);
    va_end(args);
    note(path);
    static const auto next = real<int (*)(int, const char *, int, ...)>("openat64");
    return next(dir, path, flags, mode);
}

FILE *fopen(const char *path, const char *mode)
{
    note(path);
    static const auto next = real<FILE *(*)(const char *, const char *)>("fopen");
    return next(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    note(path);
    static const auto next = real<FILE *(*)(const char *, const char *)>("fopen64");
    return next(path, mode);
}

} // extern "C"

namespace moonpane::test {

void FileOpenCounter::start()
{
    {
        std::lock_guard lock(pathsMutex);
        seen.clear();
    }
    opens = 0;
    counting = true;
}

void FileOpenCounter::stop()
{
    counting = false;
}

void FileOpenCounter::resume()
{
    counting = true;
}

quint64 FileOpenCounter::count()
{
    return opens;
}

QStringList FileOpenCounter::paths()
{
    std::lock_guard lock(pathsMutex);
    return seen;
}

} // namespace moonpane::test
