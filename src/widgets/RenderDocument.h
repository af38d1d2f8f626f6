// A QTextDocument for model output: it never loads resources. Images in a reply (remote or
// file:// ones alike) show as a placeholder; nothing is fetched or read from disk.
#pragma once

#include <QTextDocument>

namespace moonpane {

class RenderDocument final : public QTextDocument
{
    Q_OBJECT

public:
    using QTextDocument::QTextDocument;

protected:
    QVariant loadResource(int type, const QUrl &name) override;
};

} // namespace moonpane
