#include "ThinkingInspector.h"

#include "Dialogs.h"
#include "conversation/ChatSession.h"
#include "conversation/TextDiff.h"
#include "conversation/ThinkingModel.h"
#include "media/WorkerThread.h"
#include "storage/PrivateFiles.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

constexpr int kRefreshMs = 200; // while a reply streams, the figures follow it this often

QString rate(std::optional<double> perSecond)
{
    return perSecond ? QCoreApplication::translate("ThinkingInspector", " at %1 tokens/s")
                           .arg(QLocale().toString(*perSecond, 'f', 0))
                     : QString();
}

} // namespace

ThinkingInspector::ThinkingInspector(QWidget *parent)
    : QWidget(parent)
    , m_model(new ThinkingModel(this))
    , m_turns(new QComboBox(this))
    , m_copy(new QPushButton(tr("Copy as Markdown"), this))
    , m_export(new QPushButton(tr("Export…"), this))
    , m_compare(new QPushButton(tr("Compare…"), this))
    , m_stats(new QLabel(this))
    , m_strip(new ThinkingStrip(this))
    , m_list(new QTreeView(this))
    , m_preserved(new QLabel(this))
    , m_searchField(new QLineEdit(this))
    , m_searchResults(new QListWidget(this))
{
    m_searchField->setObjectName(u"thinkingSearch"_s);
    m_searchField->setPlaceholderText(tr("Find in the reasoning of this conversation"));
    m_searchField->setClearButtonEnabled(true);
    m_searchResults->setObjectName(u"thinkingSearchResults"_s);
    m_searchResults->setMaximumHeight(140);
    m_searchResults->setWordWrap(true);
    m_searchResults->hide();
    m_turns->setObjectName(u"thinkingTurns"_s);
    m_turns->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_turns->setMinimumContentsLength(16);
    m_copy->setObjectName(u"thinkingCopy"_s);
    m_export->setObjectName(u"thinkingExport"_s);
    m_compare->setObjectName(u"thinkingCompare"_s);
    m_compare->setToolTip(tr("This turn beside another branch of it: a regenerated reply, or the reply to an "
                             "edited question"));
    m_stats->setObjectName(u"thinkingStats"_s);
    m_stats->setWordWrap(true);
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_strip->setObjectName(u"thinkingStrip"_s);
    m_list->setObjectName(u"thinkingSteps"_s);
    m_list->setModel(m_model);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(ThinkingModel::Step, QHeaderView::Stretch);
    m_list->header()->setStretchLastSection(false);
    m_preserved->setObjectName(u"thinkingPreserved"_s);
    m_preserved->setWordWrap(true);
    m_preserved->setTextFormat(Qt::AutoText);
    connect(m_preserved, &QLabel::linkActivated, this, [this](const QString &link) {
        const qint64 id = link.section(u':', 1).toLongLong();
        showTurnOf(id);
        emit messageActivated(id);
    });

    auto *top = new QHBoxLayout;
    top->addWidget(m_turns, 1);
    top->addWidget(m_copy);
    top->addWidget(m_export);
    top->addWidget(m_compare);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_stats);
    layout->addWidget(m_strip);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_preserved);
    layout->addWidget(m_searchField);
    layout->addWidget(m_searchResults);

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(kRefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &ThinkingInspector::refresh);
    connect(m_turns, &QComboBox::activated, this, [this](int index) {
        // The newest turn (the last entry) follows new turns; an older one stays.
        m_pinnedTurn = index == m_turns->count() - 1 ? 0 : m_turns->itemData(index).toLongLong();
        refresh();
    });
    const auto reveal = [this](const QModelIndex &index) {
        if (index.isValid())
            emit messageActivated(index.data(ThinkingModel::MessageIdRole).toLongLong());
    };
    connect(m_list, &QAbstractItemView::clicked, this, reveal);
    connect(m_list, &QAbstractItemView::activated, this, reveal);
    connect(m_strip, &ThinkingStrip::stepClicked, this, [this](int step) {
        m_list->setCurrentIndex(m_model->index(step, 0));
        emit messageActivated(m_model->index(step, 0).data(ThinkingModel::MessageIdRole).toLongLong());
    });
    auto *typing = new QTimer(this);
    typing->setSingleShot(true);
    typing->setInterval(250);
    connect(typing, &QTimer::timeout, this, &ThinkingInspector::searchNow);
    connect(m_searchField, &QLineEdit::textChanged, typing, qOverload<>(&QTimer::start));
    connect(m_searchField, &QLineEdit::returnPressed, this, &ThinkingInspector::searchNow);
    connect(m_searchResults, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const qint64 id = item->data(Qt::UserRole).toLongLong();
        showTurnOf(id);
        emit messageActivated(id);
    });
    connect(m_searchResults, &QListWidget::itemClicked, m_searchResults, &QListWidget::itemActivated);
    connect(m_copy, &QPushButton::clicked, this, &ThinkingInspector::copyMarkdown);
    connect(m_export, &QPushButton::clicked, this, &ThinkingInspector::exportMarkdown);
    connect(m_compare, &QPushButton::clicked, this, &ThinkingInspector::compare);
    refresh();
}

ThinkingInspector::~ThinkingInspector() = default;

void ThinkingInspector::setSession(ChatSession *session)
{
    if (session == m_session)
        return;
    if (m_session)
        m_session->disconnect(this);
    m_session = session;
    m_pinnedTurn = 0;
    m_searchField->clear();
    if (session) {
        // A reply streaming, finishing, or a turn going on: the figures follow.
        connect(session, &ChatSession::replyProgressed, this, &ThinkingInspector::refreshLater);
        connect(session, &ChatSession::replyFinished, this, &ThinkingInspector::refreshLater);
        connect(session, &ChatSession::stateChanged, this, &ThinkingInspector::refreshLater);
    }
    refresh();
}

void ThinkingInspector::refreshLater()
{
    if (isVisible() && !m_refresh.isActive())
        m_refresh.start();
}

void ThinkingInspector::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void ThinkingInspector::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_refresh.stop();
}

void ThinkingInspector::fillTurns()
{
    const Conversation *conversation = m_session ? m_session->conversation() : nullptr;
    const QList<qint64> starts = conversation ? ThinkingTurn::turnStarts(*conversation) : QList<qint64>();
    QList<qint64> shown;
    for (int i = 0; i < m_turns->count(); ++i)
        shown.append(m_turns->itemData(i).toLongLong());
    if (shown != starts) {
        const QSignalBlocker blocker(m_turns);
        m_turns->clear();
        for (qsizetype i = 0; i < starts.size(); ++i) {
            const Message *user = conversation->message(starts.at(i));
            QString text = user ? user->content.simplified() : QString();
            if (text.size() > 60)
                text = text.left(59) + u'…';
            m_turns->addItem(tr("Turn %1: %2").arg(i + 1).arg(text), starts.at(i));
        }
    }
    if (m_pinnedTurn && !starts.contains(m_pinnedTurn))
        m_pinnedTurn = 0; // that turn is no longer on the path (another branch)
    const QSignalBlocker blocker(m_turns);
    m_turns->setCurrentIndex(m_pinnedTurn ? int(starts.indexOf(m_pinnedTurn)) : int(starts.size()) - 1);
}

void ThinkingInspector::showTurnOf(qint64 messageId)
{
    const Conversation *conversation = m_session ? m_session->conversation() : nullptr;
    if (!conversation)
        return;
    const ThinkingTurn turn = ThinkingTurn::of(*conversation, messageId);
    const QList<qint64> starts = ThinkingTurn::turnStarts(*conversation);
    m_pinnedTurn = turn.userId && turn.userId != starts.value(starts.size() - 1) ? turn.userId : 0;
    refresh();
}

void ThinkingInspector::refresh()
{
    m_refresh.stop();
    fillTurns();
    const Conversation *conversation = m_session ? m_session->conversation() : nullptr;
    const qint64 start = m_turns->currentIndex() >= 0 ? m_turns->currentData().toLongLong() : 0;
    const ThinkingTurn turn = conversation && start ? ThinkingTurn::of(*conversation, start) : ThinkingTurn();
    m_model->setTurn(turn);
    m_strip->setTurn(turn);
    m_copy->setEnabled(!turn.segments.isEmpty());
    m_export->setEnabled(!turn.segments.isEmpty());
    m_compare->setEnabled(conversation && turn.userId
                          && ThinkingBranch::hasAlternatives(*conversation, turn.userId));
    if (turn.segments.isEmpty()) {
        m_stats->setText(conversation && !conversation->isEmpty()
                             ? tr("This turn has no reply yet.")
                             : tr("The model's thinking shows here: each round's reasoning, the tool calls "
                                  "between, and the answer."));
    } else {
        const QString thought = ThinkingModel::timeText(turn.thinkingMs);
        const QString answered = ThinkingModel::timeText(turn.answeringMs);
        QString stats = turn.rounds == 1 ? tr("Thought %1 in one round, answered %2.").arg(thought, answered)
                                         : tr("Thought %1 over %2 rounds, answered %3.")
                                               .arg(thought, QString::number(turn.rounds), answered);
        stats += u' '
            + tr("Reasoning: %1 tokens%2%3.")
                  .arg(ThinkingModel::tokensText(turn.reasoningTokens, turn.reasoningEstimated),
                       turn.reasoningEstimated ? tr(" (estimated)") : tr(" (reported)"),
                       rate(turn.thinkingRate()));
        stats += u' '
            + tr("Answer: %1 tokens%2%3.")
                  .arg(ThinkingModel::tokensText(turn.answerTokens, turn.answerEstimated),
                       turn.answerEstimated ? tr(" (estimated)") : QString(), rate(turn.answeringRate()));
        if (turn.incomplete)
            stats += u' ' + tr("Some of its text is still being read; the figures will follow.");
        m_stats->setText(stats);
    }
    // What Preserved Thinking sends back with the next request.
    if (!m_session || !conversation) {
        m_preserved->clear();
        return;
    }
    // It walks the whole path, and it changes only when a reply ends or the parameters do:
    // not again at each refresh while a reply streams.
    if (m_session->isBusy() && !m_preserved->text().isEmpty())
        return;
    const ChatParameters parameters = m_session->parameters();
    const PreservedThinking preserved = PreservedThinking::of(*conversation, parameters);
    if (preserved.enabled) {
        const QString tokens =
            tr("%1 tokens").arg(ThinkingModel::tokensText(preserved.tokens, preserved.estimated))
            + (preserved.estimated ? tr(" (estimated)") : QString());
        if (preserved.messageIds.isEmpty())
            m_preserved->setText(tr("Preserved Thinking is on (keep: \"all\"); no earlier reasoning yet."));
        else if (preserved.messageIds.size() == 1)
            m_preserved->setText(
                tr("Preserved Thinking is on (keep: \"all\"): the reasoning of one earlier reply "
                   "goes back with the next request, %1 of context.")
                    .arg(tokens));
        else
            m_preserved->setText(tr("Preserved Thinking is on (keep: \"all\"): the reasoning of %1 earlier "
                                    "replies goes back with the next request, %2 of context.")
                                     .arg(QString::number(preserved.messageIds.size()), tokens));
        // Which: each reply by its turn and round, a link that shows it.
        if (!preserved.messageIds.isEmpty()) {
            QStringList links;
            int turnNumber = 0;
            int round = 0;
            for (const qint64 id : conversation->path()) {
                const Message *m = conversation->message(id);
                if (!m)
                    continue;
                if (m->role == Role::User) {
                    ++turnNumber;
                    round = 0;
                } else if (m->role == Role::Assistant) {
                    ++round;
                    if (preserved.messageIds.contains(id))
                        links << u"<a href=\"message:%1\">%2</a>"_s.arg(id).arg(
                            tr("turn %1, round %2").arg(turnNumber).arg(round).toHtmlEscaped());
                }
            }
            m_preserved->setText(m_preserved->text().toHtmlEscaped() + u"<br>"_s
                                 + tr("Which: %1.").arg(links.join(u", "_s)));
        }
    } else {
        ChatParameters keep = parameters;
        keep.keepThinking = true;
        if (keep.thinking == ThinkingMode::Disabled)
            keep.thinking = ThinkingMode::Enabled;
        const PreservedThinking would = PreservedThinking::of(*conversation, keep);
        m_preserved->setText(tr("Preserved Thinking is off: no earlier reasoning is sent back. With keep: "
                                "\"all\" (Parameters) the next request would carry %1 tokens of it.")
                                 .arg(ThinkingModel::tokensText(would.tokens, would.estimated)));
    }
}

void ThinkingInspector::searchNow()
{
    const QString query = m_searchField->text().trimmed();
    const quint64 ticket = ++m_searchTicket;
    if (query.isEmpty() || !m_search || !m_session) {
        m_searchResults->clear();
        m_searchResults->hide();
        return;
    }
    QPointer<ThinkingInspector> self(this);
    m_search(query, [self, ticket](const QList<Found> &found) {
        if (!self || ticket != self->m_searchTicket)
            return; // a newer search, or gone
        self->m_searchResults->clear();
        for (const Found &hit : found) {
            QString text = hit.snippet;
            text.replace(QChar(u'\uE000'), u"«"_s).replace(QChar(u'\uE001'), u"»"_s);
            auto *item = new QListWidgetItem(text.simplified(), self->m_searchResults);
            item->setData(Qt::UserRole, hit.messageId);
        }
        if (found.isEmpty())
            new QListWidgetItem(tr("No reasoning of this conversation holds that."), self->m_searchResults);
        self->m_searchResults->show();
    });
}

QString ThinkingInspector::markdown() const
{
    const Conversation *conversation = m_session ? m_session->conversation() : nullptr;
    return conversation ? m_model->turn().markdown(*conversation) : QString();
}

void ThinkingInspector::copyMarkdown()
{
    QApplication::clipboard()->setText(markdown());
    emit status(tr("Copied the turn's reasoning as Markdown"));
}

void ThinkingInspector::exportMarkdown()
{
    const QString path = Dialogs::saveFileName(this, tr("Export the reasoning"), u"moonpane-thinking.md"_s,
                                               tr("Markdown (*.md);;All files (*)"));
    if (path.isEmpty())
        return;
    if (!m_worker)
        m_worker = new WorkerThread(this);
    QPointer<ThinkingInspector> self(this);
    m_worker->post([self, path, bytes = markdown().toUtf8()]() -> WorkerThread::Then {
        QString error;
        const bool ok = PrivateFiles::write(path, bytes, &error);
        return [self, ok, path, error] {
            if (self)
                emit self->status(ok ? tr("Exported %1").arg(path)
                                     : tr("Could not write %1: %2").arg(path, error));
        };
    });
}

namespace {

// Two branches side by side: each browser shows its own text with what the other lacks marked.
class CompareDialog final : public QDialog, private Conversation::Observer
{
public:
    CompareDialog(ChatSession *session, qint64 userId, QWidget *parent)
        : QDialog(parent)
        , m_session(session)
        , m_userId(userId)
        , m_choice(new QComboBox(this))
        , m_left(new QTextBrowser(this))
        , m_right(new QTextBrowser(this))
    {
        setObjectName(u"thinkingCompareDialog"_s);
        setWindowTitle(tr("Compare branches"));
        m_choice->setObjectName(u"thinkingCompareChoice"_s);
        m_left->setObjectName(u"thinkingCompareOther"_s);
        m_right->setObjectName(u"thinkingCompareThis"_s);
        auto *layout = new QGridLayout(this);
        layout->addWidget(new QLabel(tr("Compare with:"), this), 0, 0);
        layout->addWidget(m_choice, 0, 1);
        m_otherTitle = new QLabel(this);
        layout->addWidget(m_otherTitle, 1, 0);
        layout->addWidget(
            new QLabel(tr("<b>This branch</b> (what it has that the other does not: green)"), this), 1, 1);
        layout->addWidget(m_left, 2, 0);
        layout->addWidget(m_right, 2, 1);
        auto *box = new QDialogButtonBox(QDialogButtonBox::Close, this);
        layout->addWidget(box, 3, 0, 1, 2);
        connect(box, &QDialogButtonBox::rejected, this, &QDialog::reject);
        connect(m_choice, &QComboBox::currentIndexChanged, this, [this] { compareNow(); });
        resize(1000, 640);
        m_session->conversation()->addObserver(this);
        fill();
    }
    ~CompareDialog() override
    {
        if (m_session)
            m_session->conversation()->removeObserver(this);
    }

private:
    void fill()
    {
        const Conversation &c = *m_session->conversation();
        const QList<ThinkingBranch> others = ThinkingBranch::alternatives(c, m_userId);
        const QSignalBlocker blocker(m_choice);
        const qint64 chosen = m_choice->currentData().toLongLong();
        m_choice->clear();
        for (const ThinkingBranch &other : others)
            m_choice->addItem(other.label, other.replyId);
        m_choice->setCurrentIndex(std::max(0, int(m_choice->findData(chosen))));
        compareNow();
    }

    void compareNow()
    {
        Conversation &c = *m_session->conversation();
        const ThinkingBranch mine = ThinkingBranch::shown(c, m_userId);
        const ThinkingBranch other =
            ThinkingBranch::from(c, m_choice->currentData().toLongLong(), m_choice->currentText());
        m_otherTitle->setText(
            tr("<b>%1</b> (what it has that this branch does not: red)").arg(other.label.toHtmlEscaped()));
        if (!mine.loaded || !other.loaded) {
            // Their text is read in the background; textLoaded() shows them once it is here.
            c.requestText(mine.messageIds + other.messageIds);
            m_left->setPlainText(tr("Reading…"));
            m_right->setPlainText(tr("Reading…"));
            return;
        }
        // Compared on a worker (long reasoning is many lines); the newest comparison wins.
        const quint64 ticket = ++m_ticket;
        QPointer<CompareDialog> self(this);
        m_worker->post([self, ticket, mine, other]() -> WorkerThread::Then {
            const auto html = [](const QList<DiffPiece> &pieces, DiffPiece::Op shown) {
                QString out;
                for (const DiffPiece &piece : pieces) {
                    if (piece.op != DiffPiece::Op::Same && piece.op != shown)
                        continue;
                    QString text = piece.text.toHtmlEscaped();
                    text.replace(u'\n', u"<br>"_s);
                    if (piece.op == DiffPiece::Op::Same)
                        out += text;
                    else if (shown == DiffPiece::Op::Removed)
                        out += u"<span style=\"background:#f5c6c0;color:#5c1a12\">"_s + text + u"</span>"_s;
                    else
                        out += u"<span style=\"background:#c8ecc8;color:#17441a\">"_s + text + u"</span>"_s;
                }
                return out;
            };
            // The other branch "before", this one "after".
            const QList<DiffPiece> reasoning = TextDiff::diff(other.reasoning, mine.reasoning);
            const QList<DiffPiece> answer = TextDiff::diff(other.answer, mine.answer);
            const QString reasoningTitle = u"<h4>%1</h4>"_s.arg(tr("Reasoning"));
            const QString answerTitle = u"<h4>%1</h4>"_s.arg(tr("Answer"));
            QString left = reasoningTitle + html(reasoning, DiffPiece::Op::Removed) + answerTitle
                + html(answer, DiffPiece::Op::Removed);
            QString right = reasoningTitle + html(reasoning, DiffPiece::Op::Added) + answerTitle
                + html(answer, DiffPiece::Op::Added);
            return [self, ticket, left = std::move(left), right = std::move(right)] {
                if (!self || ticket != self->m_ticket)
                    return;
                self->m_left->setHtml(left);
                self->m_right->setHtml(right);
            };
        });
    }

    void textLoaded(const Conversation &, const QList<qint64> &) override { compareNow(); }
    void messageChanged(const Conversation &, const Message &, MessageFields) override { }
    void destroyed(const Conversation &) override
    {
        m_session = nullptr;
        close();
    }

    QPointer<ChatSession> m_session;
    qint64 m_userId;
    QComboBox *m_choice;
    QLabel *m_otherTitle = nullptr;
    QTextBrowser *m_left;
    QTextBrowser *m_right;
    WorkerThread *m_worker = new WorkerThread(this);
    quint64 m_ticket = 0;
};

} // namespace

void ThinkingInspector::compare()
{
    const qint64 user = m_model->turn().userId;
    if (!m_session || !user)
        return;
    if (m_compareDialog)
        m_compareDialog->close();
    auto *dialog = new CompareDialog(m_session, user, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_compareDialog = dialog;
    dialog->open();
}

// --- ThinkingStrip ---

ThinkingStrip::ThinkingStrip(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setCursor(Qt::PointingHandCursor);
}

void ThinkingStrip::setTurn(const ThinkingTurn &turn)
{
    m_turn = turn;
    update();
}

QSize ThinkingStrip::sizeHint() const
{
    return {320, fontMetrics().height() + 14};
}

QList<QRect> ThinkingStrip::stepRects() const
{
    // Reasoning and the answer by their time (by their length when no time is known); each tool
    // step a fixed sliver.
    const QList<ThinkingSegment> &steps = m_turn.segments;
    QList<QRect> rects;
    if (steps.isEmpty())
        return rects;
    bool timed = false;
    for (const ThinkingSegment &step : steps)
        timed |= step.ms > 0;
    const auto weight = [timed](const ThinkingSegment &step) -> double {
        if (step.kind == ThinkingSegment::Kind::ToolCall || step.kind == ThinkingSegment::Kind::ToolResult)
            return -1; // fixed
        return timed ? std::max<double>(double(step.ms), 1.0)
                     : std::max<double>(double(step.characters), 1.0);
    };
    const int fixed = 10;
    int slivers = 0;
    double total = 0;
    for (const ThinkingSegment &step : steps) {
        const double w = weight(step);
        if (w < 0)
            ++slivers;
        else
            total += w;
    }
    const int width = std::max(0, this->width() - 2 - slivers * fixed);
    double x = 1;
    for (const ThinkingSegment &step : steps) {
        const double w = weight(step);
        const double span = w < 0 ? fixed : (total > 0 ? w / total * width : 0);
        rects.append(QRect(int(x), 4, std::max(2, int(x + span) - int(x) - 1), height() - 8));
        x += span;
    }
    return rects;
}

void ThinkingStrip::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QPalette &p = palette();
    const bool dark = p.color(QPalette::Window).value() < 128;
    const QList<QRect> rects = stepRects();
    if (rects.isEmpty()) {
        painter.setPen(p.color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No steps yet"));
        return;
    }
    for (qsizetype i = 0; i < rects.size(); ++i) {
        const ThinkingSegment &step = m_turn.segments.at(i);
        QColor colour;
        QString label;
        switch (step.kind) {
        case ThinkingSegment::Kind::Reasoning:
            colour = dark ? QColor(0x9a, 0x7c, 0xd8) : QColor(0xb9, 0xa3, 0xe8);
            label = tr("thinking");
            break;
        case ThinkingSegment::Kind::ToolCall:
            colour = p.color(QPalette::Mid);
            break;
        case ThinkingSegment::Kind::ToolResult:
            colour = p.color(QPalette::Midlight);
            break;
        case ThinkingSegment::Kind::Answer:
            colour = p.color(QPalette::Highlight).lighter(dark ? 100 : 150);
            label = tr("answer");
            break;
        }
        painter.fillRect(rects.at(i), colour);
        if (!label.isEmpty() && fontMetrics().horizontalAdvance(label) + 6 < rects.at(i).width()) {
            painter.setPen(p.color(QPalette::Text));
            painter.drawText(rects.at(i), Qt::AlignCenter, label);
        }
    }
}

void ThinkingStrip::mousePressEvent(QMouseEvent *event)
{
    const QList<QRect> rects = stepRects();
    for (qsizetype i = 0; i < rects.size(); ++i) {
        if (rects.at(i).adjusted(0, -4, 1, 4).contains(event->position().toPoint())) {
            emit stepClicked(int(i));
            return;
        }
    }
}

} // namespace moonpane
