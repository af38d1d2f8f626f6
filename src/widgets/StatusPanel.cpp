#include "StatusPanel.h"

#include "MessageLayout.h"
#include "api/ChatParameters.h"
#include "conversation/Message.h"

#include <QBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>

namespace moonpane {

StatusPanel::StatusPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new QLabel(this))
    , m_tokens(new QLabel(this))
    , m_speed(new QLabel(this))
    , m_context(new QLabel(this))
    , m_contextBar(new QProgressBar(this))
{
    m_contextBar->setRange(0, 1000);
    m_contextBar->setTextVisible(false);
    m_contextBar->setFixedWidth(64);
    m_contextBar->setMaximumHeight(10);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(14);
    for (QLabel *label : {m_model, m_tokens, m_speed, m_context})
        layout->addWidget(label);
    layout->addWidget(m_contextBar);
    layout->addStretch(1);
    setLastReply(nullptr);
}

double StatusPanel::cost(qint64 prompt, qint64 cached, qint64 completion, const Prices &prices)
{
    const qint64 uncached = std::max<qint64>(0, prompt - cached);
    return (static_cast<double>(uncached) * prices.inputPerMillion
            + static_cast<double>(cached) * prices.cachedInputPerMillion
            + static_cast<double>(completion) * prices.outputPerMillion)
        / 1e6;
}

void StatusPanel::setParameters(const ChatParameters &parameters)
{
    const QString thinking = parameters.thinking == ThinkingMode::Disabled ? tr("thinking off")
        : parameters.keepThinking                                          ? tr("thinking on, kept")
                                                                           : tr("thinking on");
    m_model->setText(QStringLiteral("%1 · %2").arg(parameters.model, thinking));
}

QString StatusPanel::firstTokenText(const Message &reply)
{
    // An unstreamed reply (no generation time) came all at once.
    return (reply.generationMs >= 0 ? tr("first token %1") : tr("reply in %1"))
        .arg(MessageLayout::seconds(reply.firstTokenMs));
}

void StatusPanel::setLastReply(const Message *reply)
{
    const QLocale locale;
    if (!reply || !reply->usage) {
        m_tokens->setText(reply ? tr("No token counts for the last reply") : tr("No reply yet"));
        m_tokens->setToolTip({});
        m_speed->clear();
        m_context->clear();
        m_contextBar->setVisible(false);
        if (reply && reply->firstTokenMs >= 0)
            m_speed->setText(firstTokenText(*reply));
        fitToWidth();
        return;
    }
    const Usage &usage = *reply->usage;
    const qint64 cached = usage.cachedTokens.value_or(0);
    const double dollars = cost(usage.promptTokens, cached, usage.completionTokens, m_prices);
    m_tokens->setText(tr("%1 prompt / %2 cached / %3 completion · $%4")
                          .arg(locale.toString(usage.promptTokens), locale.toString(cached),
                               locale.toString(usage.completionTokens),
                               locale.toString(dollars, 'f', dollars < 0.01 ? 5 : 4)));
    m_tokens->setToolTip(
        tr("Tokens of the last reply and its estimated cost at $%1 / $%2 (cached) / $%3 per million "
           "tokens (Settings → Chat)")
            .arg(m_prices.inputPerMillion)
            .arg(m_prices.cachedInputPerMillion)
            .arg(m_prices.outputPerMillion));
    QStringList speed;
    if (reply->firstTokenMs >= 0)
        speed.append(firstTokenText(*reply));
    if (const std::optional<double> rate = reply->tokensPerSecond())
        speed.append(tr("%1 tok/s").arg(locale.toString(*rate, 'f', 0)));
    m_speed->setText(speed.join(QStringLiteral(" · ")));
    const double fill = m_contextWindow > 0
        ? static_cast<double>(usage.promptTokens) / static_cast<double>(m_contextWindow)
        : 0;
    m_context->setText(tr("context %1%").arg(locale.toString(fill * 100.0, 'f', fill < 0.1 ? 1 : 0)));
    m_context->setToolTip(tr("%1 of %2 tokens of the context window used by the last prompt")
                              .arg(locale.toString(usage.promptTokens), locale.toString(m_contextWindow)));
    m_contextBar->setValue(static_cast<int>(std::min(1.0, fill) * 1000));
    fitToWidth();
}

void StatusPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitToWidth();
}

void StatusPanel::fitToWidth()
{
    // In order of importance; the rest goes first when space runs out.
    const QList<QWidget *> parts = {m_model, m_tokens, m_context, m_contextBar, m_speed};
    const int spacing = static_cast<QBoxLayout *>(layout())->spacing();
    int used = 0;
    for (QWidget *part : parts) {
        const auto *label = qobject_cast<QLabel *>(part);
        const bool wanted = label ? !label->text().isEmpty() : !m_context->text().isEmpty();
        const int needed = part->sizeHint().width() + spacing;
        const bool fits = wanted && used + needed <= width();
        part->setVisible(fits);
        if (fits)
            used += needed;
    }
}

QString StatusPanel::text() const
{
    return QStringList {m_model->text(), m_tokens->text(), m_speed->text(), m_context->text()}.join(
        QStringLiteral(" | "));
}

} // namespace moonpane
