#include "ToolInspector.h"

#include "media/WorkerThread.h"
#include "tools/ToolCallModel.h"

#include <QBuffer>
#include <QHeaderView>
#include <QImage>
#include <QImageReader>
#include <QPointer>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

} // namespace

// A QTextBrowser that serves the images of the call it shows, once decoded on a worker (until
// then an image is left out of the layout; QTextDocument reads no data: URLs).
class ImageBrowser final : public QTextBrowser
{
public:
    using QTextBrowser::QTextBrowser;
    static constexpr int kMaxEdge = 1600; // larger images are decoded scaled down to this
    static constexpr qsizetype kKept = 32; // decoded images kept for calls shown again

    QHash<QUrl, QImage> decoded;

    static QImage decode(const QByteArray &bytes)
    {
        QBuffer buffer;
        buffer.setData(bytes);
        QImageReader reader(&buffer);
        const QSize size = reader.size();
        if (size.isValid() && std::max(size.width(), size.height()) > kMaxEdge)
            reader.setScaledSize(size.scaled(kMaxEdge, kMaxEdge, Qt::KeepAspectRatio));
        return reader.read();
    }

protected:
    QVariant loadResource(int type, const QUrl &name) override
    {
        if (type == QTextDocument::ImageResource && name.scheme() == "tool-image"_L1)
            return decoded.contains(name) ? QVariant(decoded.value(name)) : QVariant();
        return QTextBrowser::loadResource(type, name);
    }
};

namespace {

QString pre(const QString &text)
{
    return u"<pre style=\"white-space: pre-wrap\">%1</pre>"_s.arg(text.toHtmlEscaped());
}

} // namespace

ToolInspector::ToolInspector(ToolCallModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_list(new QTreeView(this))
    , m_detail(new ImageBrowser(this))
{
    m_list->setObjectName(u"toolCallList"_s);
    m_list->setModel(model);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(ToolCallModel::Arguments, QHeaderView::Stretch);
    m_detail->setObjectName(u"toolCallDetail"_s);
    m_detail->setOpenLinks(false);
    m_detail->setPlaceholderText(tr("Select a tool call to see its arguments and its result."));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_list);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ToolInspector::showDetail);
    // A click (or Enter) on a call shows the message that made it; the view is not moved while
    // calls merely arrive.
    const auto reveal = [this](const QModelIndex &index) {
        if (index.isValid())
            emit messageActivated(index.data(ToolCallModel::MessageIdRole).toLongLong());
    };
    connect(m_list, &QAbstractItemView::clicked, this, reveal);
    connect(m_list, &QAbstractItemView::activated, this, reveal);
    connect(model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                const int row = m_list->currentIndex().row();
                if (row >= topLeft.row() && row <= bottomRight.row())
                    showDetail();
            });
    connect(model, &QAbstractItemModel::modelReset, this, &ToolInspector::showDetail);
    connect(model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int, int last) {
        // The first call is shown at once; later ones are listed and followed while the user
        // looks at nothing else.
        if (!m_list->currentIndex().isValid())
            m_list->setCurrentIndex(m_model->index(last, 0));
        else
            m_list->scrollTo(m_model->index(last, 0));
    });
}

void ToolInspector::selectRow(int row)
{
    m_list->setCurrentIndex(m_model->index(row, 0));
    emit messageActivated(m_model->index(row, 0).data(ToolCallModel::MessageIdRole).toLongLong());
}

QString ToolInspector::detailText() const
{
    return m_detail->toPlainText();
}

void ToolInspector::showDetail()
{
    const QModelIndex index = m_list->currentIndex();
    if (!index.isValid()) {
        m_detail->clear();
        return;
    }
    const auto field = [&](int column) { return m_model->index(index.row(), column).data().toString(); };
    QString html = u"<h3>%1</h3><p>%2</p>"_s.arg(
        field(ToolCallModel::Tool).toHtmlEscaped(),
        tr("Round %1 · %2 · %3%4")
            .arg(field(ToolCallModel::Round), field(ToolCallModel::Status), field(ToolCallModel::Id),
                 field(ToolCallModel::Server).isEmpty() ? QString() : u" · "_s + field(ToolCallModel::Server))
            .toHtmlEscaped());
    if (const QString time = field(ToolCallModel::Duration); !time.isEmpty())
        html += u"<p>%1</p>"_s.arg(tr("Ran for %1").arg(time).toHtmlEscaped());
    if (const QString progress = index.data(ToolCallModel::ProgressRole).toString(); !progress.isEmpty())
        html += u"<p>%1</p>"_s.arg(tr("Progress: %1").arg(progress).toHtmlEscaped());
    const QStringList problems = index.data(ToolCallModel::ProblemsRole).toStringList();
    if (!problems.isEmpty())
        html +=
            u"<p style=\"color:#c0392b\">%1</p>"_s.arg(tr("The arguments do not match the tool's schema: %1")
                                                           .arg(problems.join(u"; "_s))
                                                           .toHtmlEscaped());
    html += u"<h4>%1</h4>"_s.arg(tr("Arguments"))
        + pre(index.data(ToolCallModel::PrettyArgumentsRole).toString());
    const QString original = ToolCallModel::pretty(index.data(ToolCallModel::ArgumentsRole).toString());
    if (original != index.data(ToolCallModel::PrettyArgumentsRole).toString())
        html += u"<h4>%1</h4>"_s.arg(tr("As the model wrote them")) + pre(original);
    const QString result = index.data(ToolCallModel::ResultRole).toString();
    if (!result.isEmpty())
        html += u"<h4>%1</h4>"_s.arg(tr("Result")) + pre(result);
    if (const QString structured = index.data(ToolCallModel::StructuredRole).toString();
        !structured.isEmpty())
        html += u"<h4>%1</h4>"_s.arg(tr("Structured content")) + pre(structured);
    // Images a tool returned, named by row, place and content; decoded on the worker, then
    // shown by building the detail again.
    auto *browser = static_cast<ImageBrowser *>(m_detail);
    const QVariantList images = index.data(ToolCallModel::ImagesRole).toList();
    if (!images.isEmpty())
        html += u"<h4>%1</h4>"_s.arg(tr("Images"));
    m_shownImages.clear();
    for (qsizetype i = 0; i < images.size(); ++i) {
        const QByteArray bytes = images.at(i).toByteArray();
        const QUrl name(u"tool-image:%1/%2/%3"_s.arg(index.row()).arg(i).arg(qHash(bytes), 0, 16));
        html += u"<p><img src=\"%1\"></p>"_s.arg(name.toString());
        m_shownImages.insert(name);
        if (browser->decoded.contains(name) || m_decoding.contains(name))
            continue;
        if (!m_worker)
            m_worker = new WorkerThread(this);
        m_decoding.insert(name);
        QPointer<ToolInspector> self(this);
        m_worker->post([self, name, bytes]() -> WorkerThread::Then {
            QImage image = ImageBrowser::decode(bytes);
            return [self, name, image = std::move(image)] {
                if (self)
                    self->imageDecoded(name, image);
            };
        });
    }
    // Built again as a call streams or an image arrives: the reader's place is kept.
    const int scrolled = m_detail->verticalScrollBar()->value();
    m_detail->setHtml(html);
    m_detail->verticalScrollBar()->setValue(scrolled);
}

void ToolInspector::imageDecoded(const QUrl &name, const QImage &image)
{
    auto *browser = static_cast<ImageBrowser *>(m_detail);
    m_decoding.remove(name);
    if (browser->decoded.size() >= ImageBrowser::kKept)
        browser->decoded.clear();
    // An image that cannot be read still ends the wait (shown as a dot; its bytes went to the model).
    browser->decoded.insert(name, image.isNull() ? QImage(1, 1, QImage::Format_ARGB32) : image);
    if (m_shownImages.contains(name))
        showDetail();
}

} // namespace moonpane
