#include "ParametersEditor.h"

#include "ui_ParametersEditor.h"

#include <QFontDatabase>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

// The JSON in an editor, or an error naming the line and column.
QJsonDocument parseJson(const QString &text, QString *error)
{
    const QByteArray bytes = text.toUtf8();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const QByteArray before = bytes.left(parseError.offset);
        const qsizetype line = before.count('\n') + 1;
        const qsizetype column = parseError.offset - before.lastIndexOf('\n');
        *error = ParametersEditor::tr("Not valid JSON at line %1, column %2: %3")
                     .arg(line)
                     .arg(column)
                     .arg(parseError.errorString());
    }
    return document;
}

QString prettyJson(const QJsonDocument &document)
{
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
}

} // namespace

ParametersEditor::ParametersEditor(QWidget *parent)
    : QWidget(parent)
    , ui(std::make_unique<Ui::ParametersEditor>())
{
    ui->setupUi(this);
    const auto pair = [this](QCheckBox *check, QWidget *field) {
        connect(check, &QCheckBox::toggled, field, &QWidget::setEnabled);
        connect(check, &QCheckBox::toggled, this, &ParametersEditor::refreshState);
    };
    pair(ui->maxTokensCheck, ui->maxTokensSpin);
    pair(ui->temperatureCheck, ui->temperatureSpin);
    pair(ui->topPCheck, ui->topPSpin);
    pair(ui->frequencyCheck, ui->frequencySpin);
    pair(ui->presenceCheck, ui->presenceSpin);
    for (QComboBox *combo : {ui->thinkingCombo, ui->formatCombo})
        connect(combo, &QComboBox::currentIndexChanged, this, &ParametersEditor::refreshState);
    for (QPlainTextEdit *edit : {ui->schemaEdit, ui->stopEdit, ui->toolsEdit})
        connect(edit, &QPlainTextEdit::textChanged, this, &ParametersEditor::refreshState);
    for (QAbstractSpinBox *spin : std::initializer_list<QAbstractSpinBox *> {
             ui->maxTokensSpin, ui->temperatureSpin, ui->topPSpin, ui->frequencySpin, ui->presenceSpin})
        connect(spin, &QAbstractSpinBox::editingFinished, this, &ParametersEditor::refreshState);
    connect(ui->keepThinkingCheck, &QCheckBox::toggled, this, &ParametersEditor::refreshState);
    connect(ui->streamCheck, &QCheckBox::toggled, this, &ParametersEditor::refreshState);
    connect(ui->parameterModelCombo, &QComboBox::currentTextChanged, this, &ParametersEditor::changed);
    ui->schemaEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    ui->toolsEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setParameters(ChatParameters());
}

ParametersEditor::~ParametersEditor() = default;

void ParametersEditor::setModelRowVisible(bool visible)
{
    ui->parameterModelLabel->setVisible(visible);
    ui->parameterModelCombo->setVisible(visible);
}

void ParametersEditor::setModels(const QStringList &models)
{
    const QString current = ui->parameterModelCombo->currentText();
    ui->parameterModelCombo->clear();
    ui->parameterModelCombo->addItems(models);
    ui->parameterModelCombo->setCurrentText(current);
}

void ParametersEditor::setParameters(const ChatParameters &p)
{
    m_base = p;
    const QSignalBlocker blocker(this);
    ui->parameterModelCombo->setCurrentText(p.model);
    ui->thinkingCombo->setCurrentIndex(static_cast<int>(p.thinking));
    ui->keepThinkingCheck->setChecked(p.keepThinking);
    ui->maxTokensCheck->setChecked(p.maxCompletionTokens.has_value());
    if (p.maxCompletionTokens)
        ui->maxTokensSpin->setValue(
            static_cast<int>(std::min<qint64>(*p.maxCompletionTokens, ui->maxTokensSpin->maximum())));
    const auto setNumber = [](QCheckBox *check, QDoubleSpinBox *spin, const std::optional<double> &value) {
        check->setChecked(value.has_value());
        spin->setEnabled(value.has_value());
        if (value)
            spin->setValue(*value);
    };
    setNumber(ui->temperatureCheck, ui->temperatureSpin, p.temperature);
    setNumber(ui->topPCheck, ui->topPSpin, p.topP);
    setNumber(ui->frequencyCheck, ui->frequencySpin, p.frequencyPenalty);
    setNumber(ui->presenceCheck, ui->presenceSpin, p.presencePenalty);
    ui->maxTokensSpin->setEnabled(p.maxCompletionTokens.has_value());
    ui->formatCombo->setCurrentIndex(static_cast<int>(p.responseFormat));
    ui->schemaEdit->setPlainText(p.jsonSchema.isEmpty() ? QString()
                                                        : prettyJson(QJsonDocument(p.jsonSchema)));
    ui->stopEdit->setPlainText(p.stop.join(u'\n'));
    ui->toolsEdit->setPlainText(p.tools.isEmpty() ? QString() : prettyJson(QJsonDocument(p.tools)));
    ui->streamCheck->setChecked(p.stream);
    refreshState();
}

ChatParameters ParametersEditor::parameters() const
{
    ChatParameters p = m_base;
    p.model = ui->parameterModelCombo->currentText().trimmed();
    p.thinking = static_cast<ThinkingMode>(ui->thinkingCombo->currentIndex());
    p.keepThinking = ui->keepThinkingCheck->isChecked();
    p.maxCompletionTokens =
        ui->maxTokensCheck->isChecked() ? std::optional<qint64>(ui->maxTokensSpin->value()) : std::nullopt;
    const auto number = [](const QCheckBox *check, const QDoubleSpinBox *spin) {
        return check->isChecked() ? std::optional<double>(spin->value()) : std::nullopt;
    };
    p.temperature = number(ui->temperatureCheck, ui->temperatureSpin);
    p.topP = number(ui->topPCheck, ui->topPSpin);
    p.frequencyPenalty = number(ui->frequencyCheck, ui->frequencySpin);
    p.presencePenalty = number(ui->presenceCheck, ui->presenceSpin);
    p.responseFormat = static_cast<ResponseFormat>(ui->formatCombo->currentIndex());
    QString error;
    const QString schemaText = ui->schemaEdit->toPlainText().trimmed();
    if (schemaText.isEmpty())
        p.jsonSchema = {};
    else if (const QJsonDocument schema = parseJson(schemaText, &error); error.isEmpty() && schema.isObject())
        p.jsonSchema = schema.object();
    p.stop.clear();
    for (const QString &line : ui->stopEdit->toPlainText().split(u'\n')) {
        if (!line.isEmpty())
            p.stop.append(line);
    }
    error.clear();
    const QString toolsText = ui->toolsEdit->toPlainText().trimmed();
    if (toolsText.isEmpty())
        p.tools = {};
    else if (const QJsonDocument tools = parseJson(toolsText, &error); error.isEmpty() && tools.isArray())
        p.tools = tools.array();
    p.stream = ui->streamCheck->isChecked();
    return p;
}

QStringList ParametersEditor::problems() const
{
    QStringList problems;
    QString error;
    const QString schemaText = ui->schemaEdit->toPlainText().trimmed();
    if (!schemaText.isEmpty()) {
        const QJsonDocument schema = parseJson(schemaText, &error);
        if (!error.isEmpty())
            problems.append(tr("JSON schema: %1").arg(error));
        else if (!schema.isObject())
            problems.append(tr("JSON schema: expected an object {\"name\", \"schema\"}"));
    }
    error.clear();
    const QString toolsText = ui->toolsEdit->toPlainText().trimmed();
    if (!toolsText.isEmpty()) {
        const QJsonDocument tools = parseJson(toolsText, &error);
        if (!error.isEmpty())
            problems.append(tr("Tools: %1").arg(error));
        else if (!tools.isArray())
            problems.append(tr("Tools: expected a JSON array"));
    }
    if (problems.isEmpty())
        problems.append(parameters().validate());
    return problems;
}

void ParametersEditor::refreshState()
{
    const bool schema = ui->formatCombo->currentIndex() == static_cast<int>(ResponseFormat::JsonSchema);
    ui->schemaLabel->setVisible(schema);
    ui->schemaEdit->setVisible(schema);
    ui->schemaStatus->setVisible(schema);
    ui->keepThinkingCheck->setEnabled(ui->thinkingCombo->currentIndex()
                                      != static_cast<int>(ThinkingMode::Disabled));
    if (schema) {
        QString error;
        const QJsonDocument document = parseJson(ui->schemaEdit->toPlainText(), &error);
        const QJsonObject object = document.object();
        if (ui->schemaEdit->toPlainText().trimmed().isEmpty())
            ui->schemaStatus->setText(tr("Enter {\"name\": …, \"schema\": {…}}."));
        else if (!error.isEmpty())
            ui->schemaStatus->setText(error);
        else if (!object.value(u"name"_s).isString() || !object.value(u"schema"_s).isObject())
            ui->schemaStatus->setText(tr("Needs a \"name\" and a \"schema\" object."));
        else
            ui->schemaStatus->setText(tr("✓ Valid schema “%1”.").arg(object.value(u"name"_s).toString()));
    }
    const QStringList list = problems();
    ui->problemsLabel->setText(list.join(u'\n'));
    ui->problemsLabel->setVisible(!list.isEmpty());
    QPalette palette = ui->problemsLabel->palette();
    palette.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    ui->problemsLabel->setPalette(palette);
    emit changed();
}

} // namespace moonpane
