#include "NoticeBar.h"

#include <QBoxLayout>
#include <QEvent>
#include <QLabel>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace moonpane {

NoticeBar::NoticeBar(QWidget *parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
{
    setObjectName(u"noticeBar"_s);
    setAutoFillBackground(true);
    m_label->setObjectName(u"noticeText"_s);
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::PlainText);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *close = new QToolButton(this);
    close->setObjectName(u"noticeClose"_s);
    close->setText(u"✕"_s);
    close->setToolTip(tr("Dismiss"));
    close->setAutoRaise(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(14, 8, 8, 8);
    layout->addWidget(m_label, 1);
    layout->addWidget(close, 0, Qt::AlignTop);
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    restyle();
    hide();
}

void NoticeBar::showNotice(const QString &text)
{
    m_label->setText(text);
    show();
}

QString NoticeBar::text() const
{
    return m_label->text();
}

void NoticeBar::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        restyle();
}

void NoticeBar::restyle()
{
    // A warning's amber, light or dark to suit the theme, with text that reads on it.
    const bool dark = parentWidget() && parentWidget()->palette().color(QPalette::Base).lightness() < 128;
    QPalette palette = this->palette();
    const QColor background = dark ? QColor(0x4a, 0x3b, 0x0c) : QColor(0xff, 0xf4, 0xce);
    const QColor text = dark ? QColor(0xff, 0xec, 0xb3) : QColor(0x4d, 0x38, 0x00);
    if (palette.color(QPalette::Window) == background && palette.color(QPalette::WindowText) == text)
        return;
    palette.setColor(QPalette::Window, background);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::ButtonText, text);
    setPalette(palette);
}

} // namespace moonpane
