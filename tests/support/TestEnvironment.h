// A private place for one test: temporary XDG config, data and cache directories (so settings
// and databases never touch the user's), set for this process and handed to child processes.
// MOONPANE_* variables from outside are cleared so tests decide them.
#pragma once

#include <QProcessEnvironment>
#include <QTemporaryDir>

namespace moonpane::test {

class TestEnvironment final
{
public:
    TestEnvironment();

    QString path() const { return m_dir.path(); }
    QString filePath(const QString &name) const { return m_dir.filePath(name); }
    // The environment for a child process (moonpane-cli): the same directories.
    QProcessEnvironment processEnvironment() const;
    // Writes `bytes` to a file in the temporary directory and returns its path.
    QString writeFile(const QString &name, const QByteArray &bytes) const;

private:
    QTemporaryDir m_dir;
};

} // namespace moonpane::test
