#include "ComposerEdit.h"

#include "media/AttachmentModel.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QKeyEvent>
#include <QTextBlock>

#include <cmath>

namespace moonpane {

ComposerEdit::ComposerEdit(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setTabChangesFocus(true);
    setPlaceholderText(tr("Message Kimi"));
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
            [this] { updateGeometry(); });
    m_caretRest.setSingleShot(true);
    m_caretRest.setInterval(kBlinkSeconds * 1000);
    connect(&m_caretRest, &QTimer::timeout, this, [this] {
        m_flashTime = QApplication::cursorFlashTime();
        QApplication::setCursorFlashTime(0); // a steady caret: no timer, no repaints
    });
}

void ComposerEdit::wakeCaret()
{
    if (m_flashTime > 0) {
        QApplication::setCursorFlashTime(m_flashTime);
        m_flashTime = 0;
    }
    m_caretRest.start();
}

void ComposerEdit::focusInEvent(QFocusEvent *event)
{
    wakeCaret();
    QPlainTextEdit::focusInEvent(event);
}

void ComposerEdit::mousePressEvent(QMouseEvent *event)
{
    wakeCaret();
    QPlainTextEdit::mousePressEvent(event);
}

int ComposerEdit::heightForLines(int lines) const
{
    const int margins = static_cast<int>(std::ceil(2 * document()->documentMargin())) + frameWidth() * 2
        + contentsMargins().top() + contentsMargins().bottom();
    return fontMetrics().lineSpacing() * lines + margins;
}

QSize ComposerEdit::sizeHint() const
{
    // documentSize() counts visual lines (wrapped) in a plain text layout.
    const int lines = std::clamp(
        static_cast<int>(std::ceil(document()->documentLayout()->documentSize().height())), 1, kMaxLines);
    return {QPlainTextEdit::sizeHint().width(), heightForLines(std::max(lines, 2))};
}

QSize ComposerEdit::minimumSizeHint() const
{
    return {100, heightForLines(2)};
}

void ComposerEdit::keyPressEvent(QKeyEvent *event)
{
    wakeCaret();
    if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
        const Qt::KeyboardModifiers modifiers = event->modifiers() & ~Qt::KeypadModifier;
        const bool ctrl = modifiers == Qt::ControlModifier;
        const bool plain = modifiers == Qt::NoModifier;
        if ((m_ctrlEnter && ctrl) || (!m_ctrlEnter && plain)) {
            emit sendPressed();
            return;
        }
        if ((m_ctrlEnter && plain) || (!m_ctrlEnter && modifiers == Qt::ShiftModifier)) {
            insertPlainText(QStringLiteral("\n"));
            return;
        }
    }
    QPlainTextEdit::keyPressEvent(event);
}

bool ComposerEdit::canInsertFromMimeData(const QMimeData *source) const
{
    return !AttachmentModel::describe(source).isEmpty() || QPlainTextEdit::canInsertFromMimeData(source);
}

void ComposerEdit::insertFromMimeData(const QMimeData *source)
{
    if (!AttachmentModel::describe(source).isEmpty()) {
        emit mediaPasted(source);
        return;
    }
    QPlainTextEdit::insertFromMimeData(source);
}

} // namespace moonpane
