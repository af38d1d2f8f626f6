#include "ToolsSettingsPage.h"

#include "Dialogs.h"
#include "JsonHighlighter.h"
#include "api/ChatParameters.h"
#include "api/LocalFile.h"
#include "media/WorkerThread.h"
#include "tools/McpClient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

QTableWidget *table(const QStringList &headers, QWidget *parent)
{
    auto *t = new QTableWidget(0, int(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->horizontalHeader()->setStretchLastSection(true);
    t->verticalHeader()->hide();
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setMinimumHeight(110);
    return t;
}

QString cell(const QTableWidget *t, int row, int column)
{
    const QTableWidgetItem *item = t->item(row, column);
    return item ? item->text().trimmed() : QString();
}

void setCell(QTableWidget *t, int row, int column, const QString &text, bool editable = true)
{
    auto *item = new QTableWidgetItem(text);
    if (!editable)
        item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    t->setItem(row, column, item);
}

QHBoxLayout *buttonRow(std::initializer_list<QPushButton *> buttons)
{
    auto *row = new QHBoxLayout;
    for (QPushButton *button : buttons)
        row->addWidget(button);
    row->addStretch(1);
    return row;
}

QString approvalKeyLabel(const QString &key)
{
    return key.startsWith(u"server:"_s)
        ? QCoreApplication::translate("ToolsSettingsPage", "MCP server %1").arg(key.mid(7))
        : key;
}

} // namespace

ToolsSettingsPage::ToolsSettingsPage(QWidget *parent)
    : QWidget(parent)
    , m_webSearch(new QCheckBox(tr("Let Kimi search the web ($web_search)"), this))
    , m_rounds(new QSpinBox(this))
    , m_timeout(new QSpinBox(this))
    , m_setChoice(new QComboBox(this))
    , m_setEnabled(new QCheckBox(tr("Offered in every conversation"), this))
    , m_definitions(new QPlainTextEdit(this))
    , m_definitionProblems(new QLabel(this))
    , m_commands(
          table({tr("Tool"), tr("Program"), tr("Working folder"), tr("Environment (NAME=VALUE; …)")}, this))
    , m_servers(table({tr("Name"), tr("Command line"), tr("Environment (NAME=VALUE; …)"), tr("State")}, this))
    , m_approvals(table({tr("Tool or server"), tr("Decision")}, this))
{
    setObjectName(u"toolsSettingsPage"_s);
    m_webSearch->setObjectName(u"webSearchCheck"_s);
    m_webSearch->setToolTip(
        tr("Kimi runs the search itself; with it on, kimi-k2.6 answers without thinking"));
    m_rounds->setRange(1, 100);
    m_rounds->setSuffix(tr(" requests per message"));
    m_timeout->setRange(1, 3600);
    m_timeout->setSuffix(tr(" s per call"));
    m_definitions->setObjectName(u"toolDefinitionsEdit"_s);
    new JsonHighlighter(m_definitions->document(), palette().color(QPalette::Base).value() < 128);
    m_definitions->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_definitions->setPlaceholderText(
        tr("[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"parameters\": "
           "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}]"));
    m_definitions->setMinimumHeight(120);
    m_definitionProblems->setObjectName(u"toolDefinitionProblems"_s);
    m_definitionProblems->setWordWrap(true);
    m_commands->setObjectName(u"commandsTable"_s);
    m_servers->setObjectName(u"serversTable"_s);
    // The program and the command line get the room.
    m_commands->horizontalHeader()->setStretchLastSection(false);
    m_commands->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_servers->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_servers->horizontalHeader()->setStretchLastSection(false);
    m_servers->horizontalHeader()->setSectionResizeMode(3, QHeaderView::ResizeToContents);
    m_approvals->setObjectName(u"approvalsTable"_s);

    m_setChoice->setObjectName(u"toolSetChoice"_s);
    m_setChoice->setToolTip(tr("A set of tool definitions: switch it on or off as one"));
    m_setEnabled->setObjectName(u"toolSetEnabled"_s);
    auto *newSet = new QPushButton(tr("New set…"), this);
    auto *renameSet = new QPushButton(tr("Rename…"), this);
    auto *deleteSet = new QPushButton(tr("Delete set"), this);
    newSet->setObjectName(u"toolSetNew"_s);
    deleteSet->setObjectName(u"toolSetDelete"_s);
    auto *importButton = new QPushButton(tr("Import…"), this);
    auto *addCommand = new QPushButton(tr("Add"), this);
    auto *removeCommand = new QPushButton(tr("Remove"), this);
    auto *addServer = new QPushButton(tr("Add"), this);
    auto *removeServer = new QPushButton(tr("Remove"), this);
    auto *restartServer = new QPushButton(tr("Restart"), this);
    auto *serverLog = new QPushButton(tr("Log…"), this);

    auto *limits = new QFormLayout;
    limits->addRow(tr("Round limit"), m_rounds);
    limits->addRow(tr("Timeout"), m_timeout);

    auto *layout = new QVBoxLayout(this);
    auto heading = [this](const QString &text) {
        auto *label = new QLabel(u"<b>%1</b>"_s.arg(text.toHtmlEscaped()), this);
        return label;
    };
    layout->addWidget(m_webSearch);
    layout->addLayout(limits);
    layout->addWidget(heading(tr("Tool definitions, in sets")));
    auto *setRow = new QHBoxLayout;
    setRow->addWidget(m_setChoice, 1);
    setRow->addWidget(m_setEnabled);
    setRow->addWidget(newSet);
    setRow->addWidget(renameSet);
    setRow->addWidget(deleteSet);
    layout->addLayout(setRow);
    layout->addWidget(m_definitions);
    layout->addWidget(m_definitionProblems);
    layout->addLayout(buttonRow({importButton}));
    layout->addWidget(heading(tr("Programs that run them (no shell; the arguments arrive on stdin)")));
    layout->addWidget(m_commands);
    layout->addLayout(buttonRow({addCommand, removeCommand}));
    layout->addWidget(heading(tr("MCP servers (stdio)")));
    layout->addWidget(m_servers);
    layout->addLayout(buttonRow({addServer, removeServer, restartServer, serverLog}));
    layout->addWidget(heading(tr("Decisions: ask (the default), always or never")));
    layout->addWidget(m_approvals);

    connect(m_definitions, &QPlainTextEdit::textChanged, this, [this] {
        if (m_currentSet >= 0 && m_currentSet < m_sets.size())
            m_sets[m_currentSet].text = m_definitions->toPlainText();
        checkDefinitions();
        refreshApprovals();
    });
    connect(m_setChoice, &QComboBox::currentIndexChanged, this, &ToolsSettingsPage::showSet);
    connect(m_setEnabled, &QCheckBox::toggled, this, [this](bool on) {
        if (m_currentSet >= 0 && m_currentSet < m_sets.size())
            m_sets[m_currentSet].enabled = on;
        checkDefinitions();
    });
    connect(newSet, &QPushButton::clicked, this, [this] {
        const QString name = Dialogs::askText(this, tr("New tool set"), tr("Name of the set:"), QString());
        if (!name.trimmed().isEmpty())
            addSet(name.trimmed());
    });
    connect(renameSet, &QPushButton::clicked, this, [this] {
        if (m_currentSet < 0)
            return;
        const QString name =
            Dialogs::askText(this, tr("Rename tool set"), tr("Name of the set:"), m_sets[m_currentSet].name);
        if (name.trimmed().isEmpty())
            return;
        m_sets[m_currentSet].name = name.trimmed();
        m_setChoice->setItemText(m_currentSet, name.trimmed());
        checkDefinitions();
    });
    connect(deleteSet, &QPushButton::clicked, this, [this] {
        if (m_currentSet < 0 || m_sets.size() <= 1)
            return; // one set always remains, the one the editor shows
        if (!m_sets[m_currentSet].text.trimmed().isEmpty()
            && !Dialogs::ask(this, tr("Delete tool set"),
                             tr("Delete the set %1 and its definitions?").arg(m_sets[m_currentSet].name)))
            return;
        const int removed = m_currentSet;
        m_sets.removeAt(removed);
        m_currentSet = -1;
        const QSignalBlocker blocker(m_setChoice);
        m_setChoice->removeItem(removed);
        showSet(std::min(removed, int(m_sets.size()) - 1));
    });
    connect(importButton, &QPushButton::clicked, this, &ToolsSettingsPage::importDefinitions);
    connect(addCommand, &QPushButton::clicked, this, [this] {
        const int row = m_commands->rowCount();
        m_commands->insertRow(row);
        const QStringList names = functionNames();
        setCell(m_commands, row, 0, names.value(0));
        setCell(m_commands, row, 1, QString());
        setCell(m_commands, row, 2, QString());
        setCell(m_commands, row, 3, QString());
        m_commands->editItem(m_commands->item(row, names.isEmpty() ? 0 : 1));
    });
    connect(removeCommand, &QPushButton::clicked, this, [this] {
        if (m_commands->currentRow() >= 0)
            m_commands->removeRow(m_commands->currentRow());
    });
    connect(addServer, &QPushButton::clicked, this, [this] {
        const int row = m_servers->rowCount();
        m_servers->insertRow(row);
        for (int column = 0; column < 3; ++column)
            setCell(m_servers, row, column, QString());
        setCell(m_servers, row, 3, tr("starts when saved"), false);
        m_servers->editItem(m_servers->item(row, 0));
    });
    connect(removeServer, &QPushButton::clicked, this, [this] {
        if (m_servers->currentRow() >= 0)
            m_servers->removeRow(m_servers->currentRow());
        refreshApprovals();
    });
    connect(m_servers, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() == 0)
            refreshApprovals();
    });
    const auto selectedServer = [this]() -> McpClient * {
        const QString name = cell(m_servers, m_servers->currentRow(), 0);
        for (const QPointer<McpClient> &server : std::as_const(m_running)) {
            if (server && server->spec().name == name)
                return server;
        }
        return nullptr;
    };
    connect(restartServer, &QPushButton::clicked, this, [selectedServer] {
        if (McpClient *server = selectedServer())
            server->restart();
    });
    connect(serverLog, &QPushButton::clicked, this, [this, selectedServer] {
        McpClient *server = selectedServer();
        if (!server)
            return;
        const QStringList log = server->log();
        QMessageBox::information(this, tr("Log of %1").arg(server->spec().name),
                                 log.isEmpty()
                                     ? tr("It has written nothing yet.")
                                     : log.mid(std::max<qsizetype>(0, log.size() - 40)).join(u'\n'));
    });
}

ToolsSettingsPage::~ToolsSettingsPage() = default;

void ToolsSettingsPage::load(const ToolSettings &s)
{
    m_loaded = s;
    m_webSearch->setChecked(s.webSearch);
    m_rounds->setValue(s.maxRounds);
    m_timeout->setValue(s.timeoutSeconds);
    m_sets.clear();
    for (const ToolSet &set : s.sets)
        m_sets.append({set.name, set.enabled,
                       set.definitions.isEmpty()
                           ? QString()
                           : QString::fromUtf8(QJsonDocument(set.definitions).toJson()).trimmed()});
    if (m_sets.isEmpty())
        m_sets.append({ToolSettings::defaultSetName(), true, QString()});
    m_currentSet = -1;
    {
        const QSignalBlocker blocker(m_setChoice);
        m_setChoice->clear();
        for (const PageSet &set : std::as_const(m_sets))
            m_setChoice->addItem(set.name);
    }
    showSet(0);
    m_commands->setRowCount(0);
    for (auto it = s.commands.cbegin(); it != s.commands.cend(); ++it) {
        const int row = m_commands->rowCount();
        m_commands->insertRow(row);
        setCell(m_commands, row, 0, it.key());
        setCell(m_commands, row, 1, it.value().program);
        setCell(m_commands, row, 2, it.value().workingDirectory);
        setCell(m_commands, row, 3, it.value().environment.join(u"; "_s));
    }
    m_servers->blockSignals(true);
    m_servers->setRowCount(0);
    for (const McpServerSpec &server : s.servers) {
        const int row = m_servers->rowCount();
        m_servers->insertRow(row);
        setCell(m_servers, row, 0, server.name);
        setCell(m_servers, row, 1, server.commandLine());
        setCell(m_servers, row, 2, server.environment.join(u"; "_s));
        setCell(m_servers, row, 3, QString(), false);
    }
    m_servers->blockSignals(false);
    refreshServerStates();
    checkDefinitions();
    refreshApprovals();
}

void ToolsSettingsPage::setServers(const QList<McpClient *> &servers)
{
    for (const QPointer<McpClient> &server : std::as_const(m_running)) {
        if (server)
            server->disconnect(this);
    }
    m_running.clear();
    for (McpClient *server : servers) {
        m_running.append(server);
        connect(server, &McpClient::stateChanged, this, &ToolsSettingsPage::refreshServerStates);
        connect(server, &McpClient::toolsChanged, this, &ToolsSettingsPage::refreshApprovals);
    }
    refreshServerStates();
    refreshApprovals();
}

void ToolsSettingsPage::refreshServerStates()
{
    for (int row = 0; row < m_servers->rowCount(); ++row) {
        const QString name = cell(m_servers, row, 0);
        QString state = tr("starts when saved");
        for (const QPointer<McpClient> &server : std::as_const(m_running)) {
            if (!server || server->spec().name != name)
                continue;
            switch (server->state()) {
            case McpClient::State::Ready:
                state = tr("ready: %n tool(s)", nullptr, int(server->tools().size()));
                break;
            case McpClient::State::Starting:
                state = tr("starting…");
                break;
            case McpClient::State::Down:
                state = tr("down: %1").arg(server->error());
                break;
            case McpClient::State::Stopped:
                state = tr("stopped");
                break;
            }
        }
        m_servers->blockSignals(true);
        setCell(m_servers, row, 3, state, false);
        m_servers->blockSignals(false);
    }
}

void ToolsSettingsPage::showSet(int index)
{
    if (index < 0 || index >= m_sets.size())
        return;
    m_currentSet = -1; // the editor's text is the shown set's, not the one before it
    {
        const QSignalBlocker choice(m_setChoice);
        m_setChoice->setCurrentIndex(index);
        const QSignalBlocker enabled(m_setEnabled);
        m_setEnabled->setChecked(m_sets[index].enabled);
    }
    m_definitions->setPlainText(m_sets[index].text);
    m_currentSet = index;
    checkDefinitions();
    refreshApprovals();
}

void ToolsSettingsPage::addSet(const QString &name)
{
    m_sets.append({name, true, QString()});
    {
        const QSignalBlocker blocker(m_setChoice);
        m_setChoice->addItem(name);
    }
    showSet(int(m_sets.size()) - 1);
    m_definitions->setFocus();
}

QStringList ToolsSettingsPage::functionNames() const
{
    QStringList names;
    for (const PageSet &set : m_sets) {
        for (const QJsonValue &tool : QJsonDocument::fromJson(set.text.toUtf8()).array()) {
            const QString name = ChatParameters::toolName(tool);
            if (!name.isEmpty() && !names.contains(name))
                names.append(name);
        }
    }
    return names;
}

void ToolsSettingsPage::checkDefinitions()
{
    // The shown set's text as typed; then the sets that are on, together (a name in two of them).
    const QString text = m_definitions->toPlainText().trimmed();
    QStringList problems;
    if (!text.isEmpty()) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError)
            problems.append(
                tr("not valid JSON: %1 at character %2").arg(error.errorString()).arg(error.offset));
        else if (!document.isArray())
            problems.append(tr("expected a JSON array of tools"));
    }
    if (problems.isEmpty()) {
        ToolSettings check;
        check.sets = pageSets();
        if (m_currentSet >= 0 && m_currentSet < check.sets.size())
            check.sets[m_currentSet].enabled = true; // checked as if on, while it is edited
        problems = check.problems();
    }
    m_definitionProblems->setText(
        problems.isEmpty() ? QString() : tr("Kimi would refuse these: %1").arg(problems.join(u"; "_s)));
    m_definitionProblems->setStyleSheet(problems.isEmpty() ? QString() : u"color: #c0392b;"_s);
}

QList<ToolSet> ToolsSettingsPage::pageSets() const
{
    QList<ToolSet> sets;
    for (const PageSet &set : m_sets)
        sets.append({set.name, QJsonDocument::fromJson(set.text.toUtf8()).array(), set.enabled});
    return sets;
}

void ToolsSettingsPage::refreshApprovals()
{
    // Keep what is chosen on the page; list every tool and server known now.
    QHash<QString, QString> chosen;
    for (int row = 0; row < m_approvals->rowCount(); ++row) {
        if (auto *combo = qobject_cast<QComboBox *>(m_approvals->cellWidget(row, 1)))
            chosen.insert(m_approvals->item(row, 0)->data(Qt::UserRole).toString(),
                          combo->currentData().toString());
    }
    QStringList keys = functionNames();
    for (const QPointer<McpClient> &server : std::as_const(m_running)) {
        if (!server)
            continue;
        for (const McpClient::Tool &tool : server->tools())
            keys.append(tool.name);
    }
    for (int row = 0; row < m_servers->rowCount(); ++row) {
        if (!cell(m_servers, row, 0).isEmpty())
            keys.append(u"server:"_s + cell(m_servers, row, 0));
    }
    for (auto it = m_loaded.toolApprovals.cbegin(); it != m_loaded.toolApprovals.cend(); ++it)
        keys.append(it.key());
    keys.removeDuplicates();
    m_approvals->setRowCount(0);
    for (const QString &key : std::as_const(keys)) {
        const int row = m_approvals->rowCount();
        m_approvals->insertRow(row);
        auto *item = new QTableWidgetItem(approvalKeyLabel(key));
        item->setData(Qt::UserRole, key);
        item->setFlags(item->flags() & ~Qt::ItemIsEditable);
        m_approvals->setItem(row, 0, item);
        auto *combo = new QComboBox(m_approvals);
        combo->addItem(tr("Ask"), u"ask"_s);
        combo->addItem(tr("Always allow"), u"always"_s);
        combo->addItem(tr("Never"), u"never"_s);
        QString value = chosen.value(key);
        if (value.isEmpty()) {
            value = key.startsWith(u"server:"_s)
                ? ToolSettings::approvalName(m_loaded.serverApprovals.value(key.mid(7), ToolApproval::Ask))
                : ToolSettings::approvalName(m_loaded.toolApprovals.value(key, ToolApproval::Ask));
        }
        combo->setCurrentIndex(std::max(0, combo->findData(value)));
        m_approvals->setCellWidget(row, 1, combo);
    }
}

void ToolsSettingsPage::importDefinitions()
{
    const QStringList files = Dialogs::openFileNames(this, tr("Import tool definitions"), {},
                                                     tr("JSON files (*.json);;All files (*)"));
    if (files.isEmpty())
        return;
    if (!m_worker)
        m_worker = new WorkerThread(this);
    const QString path = files.constFirst();
    QPointer<ToolsSettingsPage> self(this);
    m_worker->post([self, path]() -> WorkerThread::Then {
        QByteArray bytes;
        QString error;
        const bool ok = LocalFile::read(path, 16 * 1024 * 1024, &bytes, &error);
        return [self, ok, bytes, error] {
            if (!self)
                return;
            if (!ok) {
                self->showProblem(error);
                return;
            }
            QString problem;
            const QJsonArray imported = ToolSettings::importDefinitions(bytes, &problem);
            if (imported.isEmpty()) {
                self->showProblem(problem); // the editor is left as it was
                return;
            }
            // Added to those already there; a name already there is replaced.
            QJsonArray current = QJsonDocument::fromJson(self->m_definitions->toPlainText().toUtf8()).array();
            for (const QJsonValue &tool : std::as_const(imported)) {
                const QString name = ChatParameters::toolName(tool);
                for (qsizetype i = current.size() - 1; i >= 0; --i) {
                    if (ChatParameters::toolName(current.at(i)) == name)
                        current.removeAt(i);
                }
                current.append(tool);
            }
            self->m_definitions->setPlainText(QString::fromUtf8(QJsonDocument(current).toJson()).trimmed());
        };
    });
}

ToolSettings ToolsSettingsPage::settings() const
{
    ToolSettings s = m_loaded;
    s.webSearch = m_webSearch->isChecked();
    s.maxRounds = m_rounds->value();
    s.timeoutSeconds = m_timeout->value();
    s.sets = pageSets();
    s.commands.clear();
    for (int row = 0; row < m_commands->rowCount(); ++row) {
        const QString name = cell(m_commands, row, 0);
        if (name.isEmpty())
            continue;
        CommandSpec spec = m_loaded.commands.value(name);
        spec.program = cell(m_commands, row, 1);
        spec.workingDirectory = cell(m_commands, row, 2);
        spec.environment.clear();
        for (const QString &entry : cell(m_commands, row, 3).split(u';', Qt::SkipEmptyParts))
            spec.environment.append(entry.trimmed());
        s.commands.insert(name, spec);
    }
    s.servers.clear();
    for (int row = 0; row < m_servers->rowCount(); ++row) {
        McpServerSpec spec;
        QString error;
        McpServerSpec::fromCommandLine(cell(m_servers, row, 1), &spec, &error);
        spec.name = cell(m_servers, row, 0);
        for (const QString &entry : cell(m_servers, row, 2).split(u';', Qt::SkipEmptyParts))
            spec.environment.append(entry.trimmed());
        s.servers.append(spec);
    }
    s.toolApprovals.clear();
    s.serverApprovals.clear();
    for (int row = 0; row < m_approvals->rowCount(); ++row) {
        const QString key = m_approvals->item(row, 0)->data(Qt::UserRole).toString();
        const auto *combo = qobject_cast<QComboBox *>(m_approvals->cellWidget(row, 1));
        const ToolApproval approval =
            ToolSettings::approvalFromName(combo ? combo->currentData().toString() : QString());
        if (approval == ToolApproval::Ask)
            continue; // the default: not written down
        if (key.startsWith(u"server:"_s))
            s.serverApprovals.insert(key.mid(7), approval);
        else
            s.toolApprovals.insert(key, approval);
    }
    return s;
}

void ToolsSettingsPage::showProblems(const QStringList &problems)
{
    showProblem(tr("These settings would not work: %1").arg(problems.join(u"; "_s)));
}

void ToolsSettingsPage::showProblem(const QString &text)
{
    m_definitionProblems->setText(text);
    m_definitionProblems->setStyleSheet(u"color: #c0392b;"_s);
}

QStringList ToolsSettingsPage::problems() const
{
    QStringList list;
    for (const PageSet &set : m_sets) {
        if (!set.text.trimmed().isEmpty() && !QJsonDocument::fromJson(set.text.toUtf8()).isArray())
            list.append(tr("the tool definitions of %1 are not a JSON array").arg(set.name));
    }
    const QStringList names = functionNames();
    for (int row = 0; row < m_commands->rowCount(); ++row) {
        const QString name = cell(m_commands, row, 0);
        if (!name.isEmpty() && !names.contains(name))
            list.append(tr("a program is set for %1, which no definition names").arg(name));
    }
    for (int row = 0; row < m_servers->rowCount(); ++row) {
        McpServerSpec spec;
        QString error;
        if (!cell(m_servers, row, 1).isEmpty()
            && !McpServerSpec::fromCommandLine(cell(m_servers, row, 1), &spec, &error))
            list.append(tr("MCP server %1: %2").arg(cell(m_servers, row, 0), error));
    }
    list += settings().problems();
    list.removeDuplicates();
    return list;
}

} // namespace moonpane
