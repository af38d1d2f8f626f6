#include "ToolApprovalCard.h"

#include "JsonHighlighter.h"
#include "tools/ToolCallModel.h"
#include "tools/ToolRunner.h"

#include <QCheckBox>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextDocumentLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QTextDocument>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

ToolApprovalCard::ToolApprovalCard(QWidget *parent)
    : QFrame(parent)
    , m_title(new QLabel(this))
    , m_runAll(new QPushButton(tr("Run all"), this))
    , m_denyAll(new QPushButton(tr("Deny all"), this))
{
    setObjectName(u"toolApprovalCard"_s);
    setAutoFillBackground(true);
    setFrameShape(QFrame::StyledPanel);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    auto *stop = new QPushButton(tr("Stop"), this);
    stop->setToolTip(tr("End the turn: nothing more runs and nothing more is sent"));
    m_runAll->setObjectName(u"toolRunAll"_s);
    m_denyAll->setObjectName(u"toolDenyAll"_s);
    stop->setObjectName(u"toolStop"_s);
    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_runAll);
    header->addWidget(m_denyAll);
    header->addWidget(stop);

    m_calls = new QWidget;
    m_callsLayout = new QVBoxLayout(m_calls);
    m_callsLayout->setContentsMargins(0, 0, 0, 0);
    m_callsLayout->setSpacing(10);
    auto *scroll = m_scroll = new QScrollArea(this);
    scroll->setWidget(m_calls);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 10);
    layout->setSpacing(8);
    layout->addLayout(header);
    layout->addWidget(scroll);

    connect(m_runAll, &QPushButton::clicked, this, [this] {
        if (!m_runner)
            return;
        // Each with its arguments as they stand on the card (edited or not), and its ticks.
        for (int row : m_runner->waiting()) {
            applyChoices(row);
            const QString original = ToolCallModel::pretty(m_runner->runs().at(row).arguments);
            if (QPlainTextEdit *edit = m_arguments.value(row); edit && edit->toPlainText() != original)
                m_runner->approve(row, edit->toPlainText());
        }
        m_runner->approveAll();
    });
    connect(m_denyAll, &QPushButton::clicked, this, [this] {
        if (m_runner)
            m_runner->denyAll();
    });
    connect(stop, &QPushButton::clicked, this, &ToolApprovalCard::stopRequested);
    restyle();
    hide();
}

void ToolApprovalCard::setRunner(ToolRunner *runner)
{
    if (m_runner)
        m_runner->disconnect(this);
    m_runner = runner;
    if (runner) {
        connect(runner, &ToolRunner::approvalNeeded, this, &ToolApprovalCard::rebuild);
        connect(runner, &ToolRunner::runsReset, this, [this] {
            m_rows.clear();
            rebuild();
        });
        connect(runner, &ToolRunner::runChanged, this, [this] {
            if (!m_runner)
                return;
            // A call decided leaves the card; the others keep what the user typed into them.
            const QList<int> waiting = m_runner->waiting();
            const bool onlyFewer = std::all_of(waiting.cbegin(), waiting.cend(),
                                               [this](int row) { return m_rows.contains(row); });
            if (!onlyFewer || waiting.isEmpty()) {
                rebuild();
                return;
            }
            for (int row : std::as_const(m_rows)) {
                QWidget *widget = m_widgets.value(row);
                if (widget && !waiting.contains(row))
                    widget->hide();
            }
            updateTitle(waiting);
        });
    }
    rebuild();
}

QPlainTextEdit *ToolApprovalCard::argumentsEditor(int row) const
{
    return m_arguments.value(row);
}

QPlainTextEdit *ToolApprovalCard::answerEditor(int row) const
{
    return m_answers.value(row);
}

void ToolApprovalCard::rebuild()
{
    const QList<int> waiting = m_runner ? m_runner->waiting() : QList<int>();
    if (waiting == m_rows && !waiting.isEmpty())
        return; // the same calls: keep what the user typed
    m_rows = waiting;
    m_arguments.clear();
    m_answers.clear();
    m_allow.clear();
    m_always.clear();
    m_widgets.clear();
    while (QLayoutItem *item = m_callsLayout->takeAt(0)) {
        if (QWidget *widget = item->widget())
            widget->deleteLater();
        delete item;
    }
    if (waiting.isEmpty()) {
        hide();
        return;
    }
    for (int row : waiting) {
        QWidget *widget = callWidget(row);
        m_widgets.insert(row, widget);
        m_callsLayout->addWidget(widget);
    }
    updateTitle(waiting);
    // At most two fifths of the window: the conversation above stays in view.
    if (QWidget *top = window())
        m_scroll->setMaximumHeight(std::clamp(top->height() * 2 / 5, 120, 420));
    show();
}

QWidget *ToolApprovalCard::callWidget(int row)
{
    const ToolRun &run = m_runner->runs().at(row);
    auto *box = new QFrame;
    box->setObjectName(u"toolCall"_s);
    box->setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(10, 8, 10, 8);
    layout->setSpacing(6);

    QString where;
    switch (run.kind) {
    case ToolKind::Mcp:
        where = tr("MCP server %1").arg(run.server);
        break;
    case ToolKind::Command:
        where = tr("command tool");
        break;
    case ToolKind::Manual:
        where = run.defined ? tr("answered by you") : tr("not a tool Moonpane knows: answer it, or deny it");
        break;
    case ToolKind::Builtin:
        where = tr("Kimi's own");
        break;
    }
    auto *name =
        new QLabel(u"<b>%1</b> &nbsp;·&nbsp; %2 &nbsp;·&nbsp; <span style=\"opacity:0.7\">%3</span>"_s.arg(
                       run.name.toHtmlEscaped(), where.toHtmlEscaped(), run.id.toHtmlEscaped()),
                   box);
    name->setTextFormat(Qt::RichText);
    name->setWordWrap(true); // a narrow window: the line wraps rather than widening the card
    layout->addWidget(name);
    if (!run.problems.isEmpty()) {
        auto *problems = new QLabel(tr("Check the arguments: %1").arg(run.problems.join(u"; "_s)), box);
        problems->setObjectName(u"toolProblems"_s);
        problems->setWordWrap(true);
        problems->setStyleSheet(u"color: #c0392b;"_s);
        layout->addWidget(problems);
    }

    const QString pretty = ToolCallModel::pretty(run.arguments);
    auto *arguments = new QPlainTextEdit(pretty, box);
    arguments->setObjectName(u"toolArguments"_s);
    arguments->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    JsonHighlighter::attach(arguments);
    arguments->setTabChangesFocus(true);
    const int lines = std::clamp<int>(int(pretty.count(u'\n')) + 1, 2, 10);
    const auto fit = [](QPlainTextEdit *edit, int count) {
        edit->setFixedHeight(edit->fontMetrics().lineSpacing() * count + 2 * edit->frameWidth()
                             + 2 * int(edit->document()->documentMargin())
                             + edit->fontMetrics().lineSpacing() / 2);
    };
    fit(arguments, lines);
    arguments->setAccessibleName(tr("Arguments of %1").arg(run.name));
    layout->addWidget(arguments);
    m_arguments.insert(row, arguments);

    auto *buttons = new QHBoxLayout;
    if (run.kind == ToolKind::Manual) {
        arguments->setReadOnly(true);
        auto *answer = new QPlainTextEdit(box);
        answer->setObjectName(u"toolAnswer"_s);
        answer->setPlaceholderText(tr("Your answer: what the model is told this call returned"));
        answer->setTabChangesFocus(true);
        fit(answer, 2);
        layout->addWidget(answer);
        m_answers.insert(row, answer);
        auto *send = new QPushButton(tr("Send answer"), box);
        send->setObjectName(u"toolSendAnswer"_s);
        send->setEnabled(false);
        connect(answer, &QPlainTextEdit::textChanged, send,
                [send, answer] { send->setEnabled(!answer->toPlainText().trimmed().isEmpty()); });
        connect(send, &QPushButton::clicked, this, [this, row, answer] {
            if (m_runner)
                m_runner->answer(row, answer->toPlainText());
        });
        buttons->addWidget(send);
    } else {
        auto *runButton = new QPushButton(tr("Run"), box);
        runButton->setObjectName(u"toolRun"_s);
        runButton->setDefault(true);
        connect(arguments, &QPlainTextEdit::textChanged, runButton, [runButton, arguments, pretty] {
            runButton->setText(arguments->toPlainText() == pretty ? tr("Run") : tr("Edit && run"));
        });
        auto *allow = new QCheckBox(tr("Allow %1 for this conversation").arg(run.name), box);
        allow->setObjectName(u"toolAllowConversation"_s);
        auto *always = new QCheckBox(tr("Always"), box);
        always->setObjectName(u"toolAlwaysAllow"_s);
        always->setToolTip(
            tr("Run %1 without asking from now on, in every conversation (Settings → Tools can take it back)")
                .arg(run.name));
        connect(always, &QCheckBox::toggled, allow, [allow](bool on) { allow->setEnabled(!on); });
        // Run all reads these too (below, through runChecked).
        m_always.insert(row, always);
        m_allow.insert(row, allow);
        connect(runButton, &QPushButton::clicked, this, [this, row, arguments, pretty] {
            if (!m_runner)
                return;
            applyChoices(row);
            const QString text = arguments->toPlainText();
            m_runner->approve(row, text == pretty ? std::nullopt : std::optional<QString>(text));
        });
        buttons->addWidget(runButton);
        // The choices on a line of their own: a narrow window keeps every button in view.
        auto *choices = new QHBoxLayout;
        choices->addWidget(allow);
        choices->addWidget(always);
        choices->addStretch(1);
        layout->addLayout(choices);
    }
    auto *deny = new QPushButton(tr("Deny"), box);
    deny->setObjectName(u"toolDeny"_s);
    deny->setToolTip(tr("The model is told that you declined"));
    connect(deny, &QPushButton::clicked, this, [this, row] {
        if (m_runner)
            m_runner->deny(row);
    });
    auto *inspect = new QPushButton(tr("Inspect"), box);
    inspect->setFlat(true);
    connect(inspect, &QPushButton::clicked, this, [this, row] { emit inspectRequested(row); });
    buttons->insertWidget(1, deny);
    buttons->addStretch(1);
    buttons->addWidget(inspect);
    layout->addLayout(buttons);
    return box;
}

void ToolApprovalCard::updateTitle(const QList<int> &waiting)
{
    m_title->setText(
        waiting.size() == 1
            ? tr("Kimi asks to use a tool. Nothing runs until you decide.")
            : tr("Kimi asks to use %1 tools. Nothing runs until you decide.").arg(waiting.size()));
    bool executable = false;
    for (int row : waiting)
        executable = executable || m_runner->runs().at(row).kind != ToolKind::Manual;
    m_runAll->setVisible(waiting.size() > 1 && executable);
    m_denyAll->setVisible(waiting.size() > 1);
}

void ToolApprovalCard::applyChoices(int row)
{
    const QString name = m_runner->runs().at(row).name;
    if (QCheckBox *always = m_always.value(row); always && always->isChecked())
        emit alwaysAllowRequested(name);
    else if (QCheckBox *allow = m_allow.value(row); allow && allow->isChecked())
        m_runner->allowForConversation(name);
}

void ToolApprovalCard::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        restyle();
}

void ToolApprovalCard::restyle()
{
    // A calm blue: a question, not a warning.
    const bool dark = parentWidget() && parentWidget()->palette().color(QPalette::Base).lightness() < 128;
    QPalette p = palette();
    p.setColor(QPalette::Window, dark ? QColor(0x1c, 0x2b, 0x3d) : QColor(0xea, 0xf2, 0xfc));
    p.setColor(QPalette::WindowText, dark ? QColor(0xdc, 0xe8, 0xf5) : QColor(0x12, 0x2a, 0x44));
    setPalette(p);
}

} // namespace moonpane
