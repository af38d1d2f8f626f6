// ParametersEditor edits every request parameter of the API (ui/ParametersEditor.ui): for the
// app-wide defaults in Settings and for one conversation. Unchecked parameters stay unset and
// are not sent; the JSON schema and tools are checked as you type.
#pragma once

#include "api/ChatParameters.h"

#include <QWidget>

#include <memory>

namespace Ui {
class ParametersEditor;
}

namespace moonpane {

class ParametersEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit ParametersEditor(QWidget *parent = nullptr);
    ~ParametersEditor() override;

    void setParameters(const ChatParameters &parameters);
    // The parameters as entered. Fields whose text is not valid keep their previous value;
    // problems() lists them.
    ChatParameters parameters() const;
    QStringList problems() const;

    void setModelRowVisible(bool visible);
    void setModels(const QStringList &models);

signals:
    void changed();

private:
    void refreshState();

    std::unique_ptr<Ui::ParametersEditor> ui;
    ChatParameters m_base; // what setParameters() gave, for fields that cannot be read back
};

} // namespace moonpane
