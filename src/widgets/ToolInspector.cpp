#include "ToolInspector.h"

#include "tools/ToolCallModel.h"

#include <QHeaderView>
#include <QImage>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

} // namespace

// A QTextBrowser that serves the images of the call it shows.
class ImageBrowser final : public QTextBrowser
{
public:
    using QTextBrowser::QTextBrowser;
    QHash<QUrl, QByteArray> images;

protected:
    QVariant loadResource(int type, const QUrl &name) override
    {
        if (type == QTextDocument::ImageResource && images.contains(name)) {
            QImage image;
            image.loadFromData(images.value(name));
            return image;
        }
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
    // Images a tool returned, named for the browser, which gets their bytes from ImageBrowser
    // (QTextDocument reads no data: URLs); decoded when painted: tool images are small.
    const QVariantList images = index.data(ToolCallModel::ImagesRole).toList();
    QHash<QUrl, QByteArray> named;
    if (!images.isEmpty())
        html += u"<h4>%1</h4>"_s.arg(tr("Images"));
    for (qsizetype i = 0; i < images.size(); ++i) {
        const QUrl name(u"tool-image:%1/%2"_s.arg(index.row()).arg(i));
        named.insert(name, images.at(i).toByteArray());
        html += u"<p><img src=\"%1\"></p>"_s.arg(name.toString());
    }
    static_cast<ImageBrowser *>(m_detail)->images = named;
    m_detail->setHtml(html);
}

} // namespace moonpane
