// Drag and drop of media onto the conversation and the composer. While something that can be
// attached (files from a file manager, a folder, a picture from a browser) is dragged over the
// area, it is covered by a highlight that says what a drop will do ("Attach 3 files"); a drop
// attaches it. Anything else (text dragged into the composer) is left to the widget under it.
//
// The highlight is only a picture: the drag stays with the widgets under it (Qt sends a drag's
// moves and its drop to the widget that accepted it), whose drag events this filters.
#pragma once

#include <QPointer>
#include <QWidget>

namespace moonpane {

class AttachmentModel;

class DropOverlay final : public QWidget
{
    Q_OBJECT

public:
    // Covers `area` (its parent) and watches `sources` (widgets within it that receive drags
    // first: the view's viewport, the composer's text field).
    DropOverlay(QWidget *area, AttachmentModel *attachments, const QList<QWidget *> &sources);

    QString message() const { return m_message; }

signals:
    void dropped(); // something was attached (or is on its way)

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    bool offer(QDropEvent *event); // shows itself when the drag carries media

    AttachmentModel *m_attachments;
    QString m_message;
};

} // namespace moonpane
