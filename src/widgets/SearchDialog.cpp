#include "SearchDialog.h"

#include "storage/ConversationStore.h"

#include <QBoxLayout>
#include <QCheckBox>
#include <QCoreApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPainter>
#include <QPointer>
#include <QRegularExpression>
#include <QStyledItemDelegate>
#include <QTextLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

constexpr int kLimit = 200; // matches listed at most, newest first

enum HitRole {
    TitleRole = Qt::UserRole + 1,
    WhenRole,
    SnippetRole, // as a reader sees it (see readable), without markers
    MatchesRole, // where the matches are in it: a QList<QPoint> of [start, end)
    ConversationRole,
    MessageRole,
    ThinkingRole,
};

// The snippet as a reader sees the message: without Markdown's emphasis, heading and table marks.
QString readable(QString text)
{
    static const QRegularExpression heading(u"(^|\\s)#{1,6}\\s"_s);
    static const QRegularExpression cells(u"(\\s*\\|\\s*)+"_s);
    text.remove(u"**"_s).remove(u"__"_s).remove(u'`');
    text.replace(heading, u"\\1"_s);
    text.replace(cells, u" · "_s);
    return text.simplified();
}

// Paints a match: the title and date on one line, then up to two lines of snippet with the
// matched words on a marker colour.
class HitDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        const QFontMetrics metrics(option.font);
        return {option.rect.width(), metrics.height() * 3 + 14};
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyleOptionViewItem base = option;
        initStyleOption(&base, index);
        base.text.clear();
        option.widget->style()->drawControl(QStyle::CE_ItemViewItem, &base, painter, option.widget);
        const bool selected = option.state & QStyle::State_Selected;
        const QPalette &palette = option.palette;
        const QColor text = palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
        QColor muted = text;
        muted.setAlphaF(0.65);
        const QRect area = option.rect.adjusted(10, 6, -10, -6);
        const QFontMetrics metrics(option.font);
        painter->save();
        QFont bold = option.font;
        bold.setBold(true);
        const QString when = index.data(WhenRole).toString();
        const int whenWidth = metrics.horizontalAdvance(when) + 12;
        painter->setFont(bold);
        painter->setPen(text);
        const QString title = QFontMetrics(bold).elidedText(index.data(TitleRole).toString(), Qt::ElideRight,
                                                            area.width() - whenWidth);
        painter->drawText(QRect(area.left(), area.top(), area.width() - whenWidth, metrics.height()),
                          Qt::AlignLeft | Qt::AlignVCenter, title);
        painter->setFont(option.font);
        painter->setPen(muted);
        painter->drawText(QRect(area.left(), area.top(), area.width(), metrics.height()),
                          Qt::AlignRight | Qt::AlignVCenter, when);

        // The snippet, its matches marked, in at most two lines.
        // Matches in the thinking say so first.
        const QString prefix = index.data(ThinkingRole).toBool() ? QObject::tr("Thinking: ") : QString();
        const QString plain = prefix + index.data(SnippetRole).toString();
        const bool dark = palette.color(QPalette::Base).lightness() < 128;
        QList<QTextLayout::FormatRange> marks;
        for (const QPoint &match : index.data(MatchesRole).value<QList<QPoint>>()) {
            QTextLayout::FormatRange range;
            range.start = static_cast<int>(prefix.size()) + match.x();
            range.length = match.y() - match.x();
            range.format.setBackground(dark ? QColor(0x6b, 0x5a, 0x12) : QColor(0xff, 0xe5, 0x6b));
            range.format.setForeground(dark ? QColor(Qt::white) : QColor(Qt::black));
            marks.append(range);
        }
        QTextLayout layout(plain, option.font);
        QTextOption wrap;
        wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        layout.setTextOption(wrap);
        layout.setFormats(marks);
        layout.beginLayout();
        int y = 0;
        int lines = 0;
        for (; lines < 2; ++lines) {
            QTextLine line = layout.createLine();
            if (!line.isValid())
                break;
            line.setLineWidth(area.width());
            line.setPosition(QPointF(0, y));
            y += metrics.height();
        }
        layout.endLayout();
        painter->setPen(selected ? text : muted);
        layout.draw(painter, QPointF(area.left(), area.top() + metrics.height() + 4));
        painter->restore();
    }
};

} // namespace

SearchDialog::SearchDialog(ConversationStore *store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_field(new QLineEdit(this))
    , m_thinking(new QCheckBox(tr("Search the thinking too"), this))
    , m_summary(new QLabel(this))
    , m_results(new QListWidget(this))
{
    setObjectName(u"searchDialog"_s);
    setWindowTitle(tr("Search All Conversations"));
    m_field->setObjectName(u"searchField"_s);
    m_field->setPlaceholderText(tr("Words to find; \"quoted words\" as a phrase"));
    m_field->setClearButtonEnabled(true);
    m_field->installEventFilter(this);
    m_thinking->setObjectName(u"searchThinking"_s);
    m_summary->setObjectName(u"searchSummary"_s);
    m_summary->setForegroundRole(QPalette::PlaceholderText);
    m_results->setObjectName(u"searchResults"_s);
    m_results->setItemDelegate(new HitDelegate(m_results));
    m_results->setUniformItemSizes(true);
    m_results->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *options = new QHBoxLayout;
    options->addWidget(m_thinking);
    options->addStretch(1);
    options->addWidget(m_summary);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_field);
    layout->addLayout(options);
    layout->addWidget(m_results, 1);
    resize(620, 520);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, &SearchDialog::searchNow);
    connect(m_field, &QLineEdit::textChanged, this, [this] {
        m_openWhenReady = false; // still typing
        m_debounce.start();
    });
    connect(m_thinking, &QCheckBox::toggled, this, &SearchDialog::searchNow);
    connect(m_results, &QListWidget::itemActivated, this, &SearchDialog::openCurrent);
}

void SearchDialog::activate()
{
    show();
    raise();
    activateWindow();
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
}

QString SearchDialog::query() const
{
    return m_field->text();
}

bool SearchDialog::includeThinking() const
{
    return m_thinking->isChecked();
}

int SearchDialog::resultCount() const
{
    return m_results->count();
}

void SearchDialog::searchNow()
{
    m_debounce.stop();
    const quint64 generation = ++m_generation;
    const QString query = m_field->text().trimmed();
    if (query.isEmpty()) {
        m_searching = false;
        m_results->clear();
        m_summary->clear();
        return;
    }
    m_searching = true;
    // What is listed stays until the new matches are in, so the list does not blink per keystroke.
    m_store->searchInBackground(
        query, m_thinking->isChecked(), kLimit,
        [this, generation, alive = QPointer<SearchDialog>(this)](const QList<SearchHit> &hits) {
            if (alive && generation == m_generation)
                showHits(hits);
        });
}

void SearchDialog::showHits(const QList<SearchHit> &hits)
{
    m_searching = false;
    m_results->clear();
    const QLocale locale;
    for (const SearchHit &hit : hits) {
        auto *item = new QListWidgetItem(m_results);
        item->setData(TitleRole, hit.title);
        // Today's matches by their time, older ones by their date.
        const QDateTime when = hit.createdAt.toLocalTime();
        item->setData(WhenRole,
                      when.date() == QDate::currentDate()
                          ? when.time().toString(u"HH:mm"_s)
                          : locale.toString(when.date(), QLocale::ShortFormat));
        // Made readable once here, not on every paint.
        QList<SearchHit::Range> matches;
        const QString plain = SearchHit::unmark(readable(hit.snippet), &matches);
        QList<QPoint> points;
        for (const auto &[start, end] : matches)
            points.append(QPoint(static_cast<int>(start), static_cast<int>(end)));
        item->setData(SnippetRole, plain);
        item->setData(MatchesRole, QVariant::fromValue(points));
        item->setData(ConversationRole, hit.conversationId);
        item->setData(MessageRole, hit.messageId);
        item->setData(ThinkingRole, hit.inReasoning);
        item->setData(Qt::AccessibleTextRole, QString(hit.title + u": "_s + plain));
    }
    m_summary->setText(hits.isEmpty()              ? tr("No matches")
                           : hits.size() == kLimit ? tr("The newest %1 matches").arg(kLimit)
                           : hits.size() == 1      ? tr("1 match")
                                                   : tr("%1 matches").arg(hits.size()));
    if (!hits.isEmpty())
        m_results->setCurrentRow(0);
    if (m_openWhenReady) {
        m_openWhenReady = false;
        openCurrent();
    }
}

void SearchDialog::openCurrent()
{
    if (m_debounce.isActive())
        searchNow();
    if (m_searching) { // the list is of an older query
        m_openWhenReady = true;
        return;
    }
    const QListWidgetItem *item = m_results->currentItem();
    if (!item)
        return;
    emit openRequested(item->data(ConversationRole).toLongLong(), item->data(MessageRole).toLongLong(),
                       m_field->text(), item->data(ThinkingRole).toBool());
    hide();
}

bool SearchDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_field && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        switch (key->key()) {
        case Qt::Key_Down:
        case Qt::Key_Up:
        case Qt::Key_PageDown:
        case Qt::Key_PageUp:
            // The list follows the arrows while typing goes on in the field.
            QCoreApplication::sendEvent(m_results, event);
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            openCurrent();
            return true;
        default:
            break;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace moonpane
