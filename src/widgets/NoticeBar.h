// A strip across the top of the conversation for something the user must know about that is not
// about one message: the history could not be opened, or a save failed. It says what happened
// and what to do, and stays until it is closed.
#pragma once

#include <QFrame>

class QLabel;

namespace moonpane {

class NoticeBar final : public QFrame
{
    Q_OBJECT

public:
    explicit NoticeBar(QWidget *parent = nullptr);

    // Shows `text` (plain text); a notice already showing is replaced.
    void showNotice(const QString &text);
    QString text() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void restyle();

    QLabel *m_label;
};

} // namespace moonpane
