// The status bar's figures: model and thinking mode, the last reply's tokens (prompt / cached /
// completion) and its estimated cost, time to first token, tokens per second, and how full the
// context window is.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;

namespace moonpane {

struct Message;
struct ChatParameters;

class StatusPanel final : public QWidget
{
    Q_OBJECT

public:
    struct Prices
    {
        double inputPerMillion = 0.95;
        double cachedInputPerMillion = 0.16;
        double outputPerMillion = 4.00;
    };

    explicit StatusPanel(QWidget *parent = nullptr);

    void setPrices(const Prices &prices) { m_prices = prices; }
    void setContextWindow(qint64 tokens) { m_contextWindow = tokens; }
    void setParameters(const ChatParameters &parameters);
    // The last assistant reply of the conversation shown (null: none yet).
    void setLastReply(const Message *reply);

    QString text() const; // everything shown, for tests
    static double cost(qint64 prompt, qint64 cached, qint64 completion, const Prices &prices);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    static QString firstTokenText(const Message &reply);
    void fitToWidth(); // drops the least important figures when they do not fit

    QLabel *m_model;
    QLabel *m_tokens;
    QLabel *m_speed;
    QLabel *m_context;
    QProgressBar *m_contextBar;
    Prices m_prices;
    qint64 m_contextWindow = 262144;
};

} // namespace moonpane
