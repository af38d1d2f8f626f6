#include "WireInspector.h"

#include "Dialogs.h"
#include "JsonHighlighter.h"
#include "api/WireExport.h"
#include "api/WireModels.h"
#include "api/WireRecorder.h"
#include "media/WorkerThread.h"
#include "storage/PrivateFiles.h"

#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

QPlainTextEdit *readOnlyText(const QString &name, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(name);
    edit->setReadOnly(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    return edit;
}

// Lines by what they are: comments and keep-alives faint, [DONE] bold, malformed ones red.
class LineDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        switch (WireLineKind(index.data(WireLineModel::KindRole).toInt())) {
        case WireLineKind::Comment:
        case WireLineKind::Blank:
            option->palette.setColor(QPalette::Text, option->palette.color(QPalette::PlaceholderText));
            break;
        case WireLineKind::Malformed:
            option->palette.setColor(QPalette::Text, QColor(0xc0, 0x39, 0x2b));
            option->font.setBold(true);
            break;
        case WireLineKind::Done:
            option->font.setBold(true);
            break;
        case WireLineKind::Data:
        case WireLineKind::Field:
            break;
        }
    }
};

QString headersText(const WireObserver::Headers &headers)
{
    QString text;
    for (const auto &[name, value] : headers)
        text += QString::fromUtf8(name) + u": "_s + QString::fromUtf8(value) + u'\n';
    return text;
}

} // namespace

WireInspector::WireInspector(QWidget *parent)
    : QWidget(parent)
    , m_exchanges(new WireExchangeModel(this))
    , m_lineModel(new WireLineModel(this))
    , m_list(new QTreeView(this))
    , m_tabs(new QTabWidget(this))
    , m_find(new QLineEdit(this))
    , m_request(readOnlyText(u"wireRequest"_s, this))
    , m_error(new QLabel(this))
    , m_response(readOnlyText(u"wireResponse"_s, this))
    , m_timeline(new WireTimeline(this))
    , m_lines(new QTableView(this))
    , m_result(readOnlyText(u"wireResult"_s, this))
    , m_curl(new QPushButton(tr("Copy as curl"), this))
    , m_raw(new QPushButton(tr("Copy raw stream"), this))
    , m_save(new QPushButton(tr("Save as .sse…"), this))
    , m_resend(new QPushButton(tr("Edit && resend…"), this))
    , m_showMedia(new QPushButton(tr("Show media in full"), this))
{
    m_list->setObjectName(u"wireList"_s);
    m_list->setModel(m_exchanges);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(true);

    // The lines: a table of fixed-height rows, so that a line arriving appends one row and
    // nothing else is laid out again.
    m_lines->setObjectName(u"wireLines"_s);
    m_lines->setModel(m_lineModel);
    m_lines->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_lines->verticalHeader()->hide();
    m_lines->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_lines->verticalHeader()->setDefaultSectionSize(m_lines->fontMetrics().height() + 4);
    m_lines->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_lines->horizontalHeader()->setStretchLastSection(true);
    m_lines->horizontalHeader()->resizeSection(
        WireLineModel::Time, m_lines->fontMetrics().horizontalAdvance(u"+000000 ms"_s) + 12);
    m_lines->horizontalHeader()->resizeSection(WireLineModel::Kind,
                                               m_lines->fontMetrics().horizontalAdvance(u"malformed"_s) + 12);
    m_lines->setWordWrap(false);
    m_lines->setTextElideMode(Qt::ElideRight);
    m_lines->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_lines->setShowGrid(false);
    m_lines->setItemDelegate(new LineDelegate(m_lines));

    m_find->setObjectName(u"wireFind"_s);
    m_find->setPlaceholderText(tr("Find in the request (Enter: next)"));
    m_find->setClearButtonEnabled(true);
    m_error->setObjectName(u"wireError"_s);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_timeline->setObjectName(u"wireTimeline"_s);
    m_curl->setObjectName(u"wireCopyCurl"_s);
    m_curl->setToolTip(tr("A curl command that sends this request; the key as $MOONPANE_API_KEY"));
    m_raw->setObjectName(u"wireCopyRaw"_s);
    m_save->setObjectName(u"wireSave"_s);
    m_save->setToolTip(tr("The received lines as a file moonpane-fake-server can replay"));
    m_resend->setObjectName(u"wireResend"_s);
    m_resend->setToolTip(tr("Edit the request's JSON and send it as a new branch of the conversation"));

    m_showMedia->setObjectName(u"wireShowMedia"_s);
    m_showMedia->setCheckable(true);
    m_showMedia->setToolTip(
        tr("The request's images and videos as the base64 that was sent, instead of their names"));
    auto *requestPage = new QWidget(this);
    auto *requestLayout = new QVBoxLayout(requestPage);
    requestLayout->setContentsMargins(0, 4, 0, 0);
    auto *findRow = new QHBoxLayout;
    findRow->addWidget(m_find, 1);
    findRow->addWidget(m_showMedia);
    requestLayout->addLayout(findRow);
    requestLayout->addWidget(m_request);
    auto *responsePage = new QWidget(this);
    auto *responseLayout = new QVBoxLayout(responsePage);
    responseLayout->setContentsMargins(0, 4, 0, 0);
    responseLayout->addWidget(m_error);
    responseLayout->addWidget(m_response);
    auto *streamPage = new QWidget(this);
    auto *streamLayout = new QVBoxLayout(streamPage);
    streamLayout->setContentsMargins(0, 4, 0, 0);
    streamLayout->addWidget(m_timeline);
    m_beside = new QSplitter(Qt::Vertical, streamPage);
    m_beside->setObjectName(u"wireBeside"_s);
    m_beside->addWidget(m_lines);
    m_beside->addWidget(m_result);
    m_beside->setStretchFactor(0, 3);
    m_beside->setStretchFactor(1, 2);
    streamLayout->addWidget(m_beside, 1);
    m_tabs->setObjectName(u"wireTabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(streamPage, tr("Stream"));
    m_tabs->addTab(requestPage, tr("Request"));
    m_tabs->addTab(responsePage, tr("Response"));

    auto *buttons = new QHBoxLayout;
    for (QPushButton *button : {m_curl, m_raw, m_save, m_resend})
        buttons->addWidget(button);
    buttons->addStretch(1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_list);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(splitter, 1);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &WireInspector::showSelected);
    connect(m_list, &QAbstractItemView::clicked, this, [this](const QModelIndex &index) {
        if (const qint64 message = index.data(WireExchangeModel::MessageIdRole).toLongLong())
            emit messageActivated(message);
    });
    connect(m_exchanges, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int, int last) {
        // A new request is shown when nothing else is, or when the newest was.
        const int current = m_list->currentIndex().row();
        if (current < 0 || current == last - 1)
            m_list->setCurrentIndex(m_exchanges->index(last, 0));
    });
    connect(m_exchanges, &QAbstractItemModel::modelReset, this, &WireInspector::showSelected);
    connect(m_exchanges, &QAbstractItemModel::rowsRemoved, this, &WireInspector::showSelected);
    connect(m_lineModel, &QAbstractItemModel::rowsInserted, this, [this] {
        // Following the stream while its end is in view.
        if (m_lines->verticalScrollBar()->value() >= m_lines->verticalScrollBar()->maximum() - 2)
            QTimer::singleShot(0, m_lines, &QTableView::scrollToBottom);
    });
    connect(m_find, &QLineEdit::returnPressed, this, [this] {
        if (!m_request->find(m_find->text())) {
            m_request->moveCursor(QTextCursor::Start); // from the top again
            m_request->find(m_find->text());
        }
    });
    connect(m_find, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_request->moveCursor(QTextCursor::Start);
        if (!text.isEmpty())
            m_request->find(text);
    });
    connect(m_showMedia, &QPushButton::toggled, this, &WireInspector::showSelected);
    connect(m_curl, &QPushButton::clicked, this, &WireInspector::copyAsCurl);
    connect(m_raw, &QPushButton::clicked, this, &WireInspector::copyRawStream);
    connect(m_save, &QPushButton::clicked, this, &WireInspector::saveStream);
    connect(m_resend, &QPushButton::clicked, this, &WireInspector::editAndResend);
    showSelected();
}

WireInspector::~WireInspector() = default;

WorkerThread *WireInspector::worker()
{
    if (!m_worker)
        m_worker = new WorkerThread(this);
    return m_worker;
}

void WireInspector::setRecorder(WireRecorder *recorder)
{
    if (recorder == m_recorder)
        return;
    const bool following = m_following;
    follow(false);
    m_recorder = recorder;
    if (following || isVisible())
        follow(true);
}

void WireInspector::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // The assembled reply beside the lines when there is room for both, below them otherwise.
    m_beside->setOrientation(width() >= 900 ? Qt::Horizontal : Qt::Vertical);
}

void WireInspector::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    follow(true);
}

void WireInspector::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    follow(false); // closed, it costs nothing per line
}

void WireInspector::follow(bool on)
{
    if (on == m_following && (on || !m_recorder))
        return;
    m_following = on && m_recorder;
    if (m_recorder)
        m_recorder->disconnect(this);
    m_exchanges->setRecorder(m_following ? m_recorder.data() : nullptr);
    m_lineModel->setRecorder(m_following ? m_recorder.data() : nullptr);
    if (!m_following)
        return;
    connect(m_recorder, &WireRecorder::exchangeChanged, this, &WireInspector::refreshSelected);
    if (m_exchanges->rowCount() > 0)
        m_list->setCurrentIndex(m_exchanges->index(m_exchanges->rowCount() - 1, 0));
    showSelected();
}

void WireInspector::selectRow(int row)
{
    m_list->setCurrentIndex(m_exchanges->index(row, 0));
}

const WireExchange *WireInspector::selected() const
{
    const QModelIndex current = m_list->currentIndex();
    return current.isValid() ? m_exchanges->exchangeAt(current.row()) : nullptr;
}

void WireInspector::showSelected()
{
    const WireExchange *exchange = selected();
    m_shownId = exchange ? exchange->id : 0;
    m_lineModel->setExchange(m_shownId);
    for (QPushButton *button : {m_curl, m_raw, m_save, m_resend})
        button->setEnabled(exchange != nullptr);
    if (!exchange) {
        m_request->setPlainText(m_recorder ? tr("No request yet: what this conversation sends shows here.")
                                           : QString());
        m_response->clear();
        m_error->clear();
        m_error->hide();
        m_result->clear();
        m_timeline->setMarks({}, -1);
        return;
    }
    // The request: its headers at once, its body indented on the worker.
    const QString head = QString::fromUtf8(exchange->method) + u' '
        + exchange->url.toDisplayString(QUrl::RemoveUserInfo) + u'\n' + headersText(exchange->requestHeaders);
    m_request->setPlainText(head + u'\n' + tr("(indenting the body…)"));
    const bool hasMedia = exchange->requestBody.hasMedia();
    m_showMedia->setEnabled(hasMedia);
    const bool full = hasMedia && m_showMedia->isChecked();
    const quint64 ticket = ++m_requestTicket;
    QPointer<WireInspector> self(this);
    worker()->post([self, ticket, head, full, body = exchange->requestBody]() -> WorkerThread::Then {
        QString text = head + u'\n';
        QString error;
        if (!full)
            text += WireExport::readableBody(body);
        else if (const QString whole = WireExport::fullBody(body, kMaxShownBody, &error); !error.isEmpty())
            text += tr("(%1)").arg(error) + u"\n\n"_s + WireExport::readableBody(body);
        else
            text += whole;
        return [self, ticket, text = std::move(text)] {
            if (self && ticket == self->m_requestTicket) {
                self->m_request->setPlainText(text);
                if (!self->m_find->text().isEmpty())
                    self->m_request->find(self->m_find->text());
            }
        };
    });
    refreshSelected(exchange->id);
}

void WireInspector::refreshSelected(qint64 id)
{
    if (id != m_shownId)
        return;
    const WireExchange *exchange = m_recorder ? m_recorder->find(id) : nullptr;
    if (!exchange)
        return;
    // The response as it came: the status line, headers, a body read whole, and the notes.
    QString response;
    if (exchange->status)
        response = u"HTTP %1 %2\n"_s.arg(exchange->status).arg(QString::fromUtf8(exchange->reason))
            + headersText(exchange->responseHeaders) + u'\n';
    else
        response = exchange->isRunning() ? tr("(waiting for the response)\n\n") : tr("(no response)\n\n");
    if (!exchange->body.isEmpty())
        response += QString::fromUtf8(exchange->body) + u"\n\n"_s;
    for (const WireNote &note : exchange->notes)
        response += u"# +%1 ms  %2\n"_s.arg(note.ms).arg(note.text);
    if (exchange->linesDropped > 0)
        response += tr("# %1 lines past %2 MB were counted, not kept\n")
                        .arg(exchange->linesDropped)
                        .arg(WireRecorder::kMaxExchangeBytes >> 20);
    m_response->setPlainText(response);
    const bool failed = exchange->end && exchange->end->error.isError();
    m_error->setText(failed ? exchange->end->error.summary() : QString());
    m_error->setVisible(failed);
    m_timeline->setMarks({{tr("headers"), exchange->headersMs},
                          {tr("first byte"), exchange->firstByteMs},
                          {tr("reasoning"), exchange->firstReasoningMs},
                          {tr("content"), exchange->firstContentMs},
                          {tr("tool call"), exchange->firstToolCallMs}},
                         exchange->endMs);
    m_result->setPlainText(WireExport::assembled(*exchange));
}

void WireInspector::copyAsCurl()
{
    const WireExchange *exchange = selected();
    if (!exchange)
        return;
    QPointer<WireInspector> self(this);
    worker()->post([self, exchange = *exchange]() -> WorkerThread::Then {
        QByteArray body;
        QString error;
        const bool ok = exchange.requestBody.flatten(&body, &error); // reads the media
        QByteArray command = ok ? WireExport::curlCommand(exchange, body) : QByteArray();
        return [self, ok, error, command = std::move(command)] {
            if (!self)
                return;
            if (!ok) {
                emit self->status(tr("Could not copy as curl: %1").arg(error));
                return;
            }
            QApplication::clipboard()->setText(QString::fromUtf8(command));
            emit self->status(tr("Copied as curl (the key as $MOONPANE_API_KEY; set it before running)"));
        };
    });
}

void WireInspector::copyRawStream()
{
    const WireExchange *exchange = selected();
    if (!exchange)
        return;
    const QByteArray raw = exchange->lines.isEmpty() ? exchange->body : exchange->rawStream();
    QApplication::clipboard()->setText(QString::fromUtf8(raw));
    emit status(exchange->lines.isEmpty() ? tr("Copied the response body") : tr("Copied the raw stream"));
}

void WireInspector::saveStream()
{
    const WireExchange *exchange = selected();
    if (!exchange)
        return;
    const bool stream = !exchange->lines.isEmpty();
    const QString path = Dialogs::saveFileName(
        this, tr("Save the stream"),
        u"moonpane-request-%1.%2"_s.arg(exchange->id).arg(stream ? u"sse"_s : u"json"_s),
        stream ? tr("Event streams (*.sse);;All files (*)") : tr("JSON (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QPointer<WireInspector> self(this);
    const QByteArray bytes = stream ? exchange->rawStream() : exchange->body;
    worker()->post([self, path, bytes]() -> WorkerThread::Then {
        QString error;
        const bool ok = PrivateFiles::write(path, bytes, &error);
        return [self, ok, path, error] {
            if (self)
                emit self->status(ok ? tr("Saved %1").arg(path)
                                     : tr("Could not save %1: %2").arg(path, error));
        };
    });
}

void WireInspector::editAndResend()
{
    const WireExchange *exchange = selected();
    if (!exchange)
        return;
    if (!exchange->tag.messageId) {
        emit status(
            tr("This request answered into no message of the conversation; it cannot be resent here"));
        return;
    }
    auto *dialog = new QDialog(this);
    dialog->setObjectName(u"wireResendDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Edit and resend"));
    auto *edit = new QPlainTextEdit(dialog);
    edit->setObjectName(u"wireResendEdit"_s);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setPlainText(tr("(preparing the body…)"));
    edit->setEnabled(false);
    auto *problems = new QLabel(dialog);
    problems->setObjectName(u"wireResendProblems"_s);
    problems->setWordWrap(true);
    auto *hint = new QLabel(tr("Media show as <media N: …>; each goes back as it was sent. The reply comes "
                               "as a new branch beside the one this request made."),
                            dialog);
    hint->setWordWrap(true);
    auto *box = new QDialogButtonBox(QDialogButtonBox::Cancel, dialog);
    QPushButton *send = box->addButton(tr("Send"), QDialogButtonBox::AcceptRole);
    send->setObjectName(u"wireResendSend"_s);
    send->setEnabled(false);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(hint);
    layout->addWidget(edit, 1);
    layout->addWidget(problems);
    layout->addWidget(box);
    dialog->resize(720, 560);
    connect(box, &QDialogButtonBox::rejected, dialog, &QDialog::reject);

    // The check of what is typed runs on the worker, a moment after typing stops.
    auto *check = new QTimer(dialog);
    check->setSingleShot(true);
    check->setInterval(250);
    const RequestBody original = exchange->requestBody;
    const qint64 messageId = exchange->tag.messageId;
    auto ticket = std::make_shared<quint64>(0);
    QPointer<QDialog> guard(dialog);
    const auto verify = [this, guard, edit, problems, send, original, ticket](bool thenSend, qint64 message) {
        const quint64 mine = ++*ticket;
        worker()->post([guard, problems, send, original, ticket, mine, thenSend, message,
                        self = QPointer(this), text = edit->toPlainText()]() -> WorkerThread::Then {
            QString error;
            std::optional<RequestBody> body = WireExport::bodyFromEdited(text, original, &error);
            const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
            const bool stream = object.value("stream"_L1).toBool(false);
            const QString model = object.value("model"_L1).toString();
            return [guard, problems, send, ticket, mine, thenSend, message, self, body = std::move(body),
                    error, stream, model] {
                if (!guard || mine != *ticket)
                    return;
                problems->setText(body ? QString() : error);
                problems->setStyleSheet(body ? QString() : u"color: #c0392b;"_s);
                send->setEnabled(body.has_value());
                if (thenSend && body && self) {
                    emit self->resendRequested(message, *body, stream, model);
                    guard->accept();
                }
            };
        });
    };
    connect(check, &QTimer::timeout, dialog, [verify] { verify(false, 0); });
    connect(edit, &QPlainTextEdit::textChanged, check, qOverload<>(&QTimer::start));
    connect(box, &QDialogButtonBox::accepted, dialog, [verify, messageId] { verify(true, messageId); });

    QPointer<QPlainTextEdit> target(edit);
    worker()->post([target, original]() -> WorkerThread::Then {
        QString text = WireExport::editableBody(original);
        return [target, text = std::move(text)] {
            if (!target)
                return;
            target->setPlainText(text);
            JsonHighlighter::attach(target); // a body of ordinary size
            target->setEnabled(true);
            target->setFocus();
        };
    });
    dialog->open();
}

// --- WireTimeline ---

WireTimeline::WireTimeline(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void WireTimeline::setMarks(const QList<Mark> &marks, qint64 endMs)
{
    m_marks = marks;
    m_endMs = endMs;
    setFixedHeight(heightForWidth(width())); // the legend may take another line
    update();
}

QSize WireTimeline::sizeHint() const
{
    return {320, heightForWidth(std::max(width(), 320))};
}

void WireTimeline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &p = palette();
    const int line = fontMetrics().height();
    const QRect bar(8, 6, width() - 16, 6);
    qint64 last = m_endMs;
    for (const Mark &mark : m_marks)
        last = std::max(last, mark.ms);
    painter.setPen(Qt::NoPen);
    painter.setBrush(p.color(QPalette::Mid));
    painter.drawRoundedRect(bar, 3, 3);
    if (last <= 0) {
        painter.setPen(p.color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No timings yet"));
        return;
    }
    const auto xOf = [&](qint64 ms) { return bar.left() + int(double(ms) / double(last) * bar.width()); };
    if (m_endMs >= 0) {
        painter.setBrush(p.color(QPalette::Highlight));
        painter.drawRoundedRect(QRect(bar.left(), bar.top(), xOf(m_endMs) - bar.left(), bar.height()), 3, 3);
    }
    // A tick per moment on the bar, each in its colour; the legend below says what and when
    // (near moments would overlap as labels on the bar).
    const QList<Mark> entries = legend();
    const QList<QRect> places = legendPlaces(entries, width());
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QColor colour = QColor::fromHsv(int(i * 300 / entries.size()), 170,
                                              p.color(QPalette::Window).value() < 128 ? 240 : 190);
        const Mark &mark = entries.at(i);
        if (mark.ms >= 0) {
            const int tick = xOf(mark.ms);
            painter.setPen(QPen(colour, 2));
            painter.drawLine(tick, bar.top() - 4, tick, bar.bottom() + 4);
        }
        const QRect place = places.at(i);
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawRect(QRect(place.left(), place.top() + line / 4, line / 2, line / 2));
        painter.setPen(mark.ms >= 0 ? p.color(QPalette::WindowText) : p.color(QPalette::PlaceholderText));
        painter.drawText(place.adjusted(line / 2 + 4, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
                         mark.ms >= 0 ? u"%1 %2 ms"_s.arg(mark.label).arg(mark.ms)
                                      : u"%1 —"_s.arg(mark.label));
    }
}

QList<WireTimeline::Mark> WireTimeline::legend() const
{
    QList<Mark> entries = m_marks;
    entries.append({tr("end"), m_endMs});
    return entries;
}

QList<QRect> WireTimeline::legendPlaces(const QList<Mark> &entries, int width) const
{
    const int line = fontMetrics().height();
    QList<QRect> places;
    int x = 8;
    int y = 18;
    for (const Mark &mark : entries) {
        const QString text =
            mark.ms >= 0 ? u"%1 %2 ms"_s.arg(mark.label).arg(mark.ms) : u"%1 —"_s.arg(mark.label);
        const int w = line / 2 + 4 + fontMetrics().horizontalAdvance(text) + 14;
        if (x + w > width && x > 8) {
            x = 8;
            y += line + 2;
        }
        places.append(QRect(x, y, w, line));
        x += w;
    }
    return places;
}

void WireTimeline::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (const int wanted = heightForWidth(width()); wanted != height())
        setFixedHeight(wanted); // a narrower dock: the legend takes another line
}

int WireTimeline::heightForWidth(int width) const
{
    const QList<QRect> places = legendPlaces(legend(), width);
    return places.isEmpty() ? sizeHint().height() : places.last().bottom() + 4;
}

} // namespace moonpane
