// The composer: it grows with its text up to a limit, sends with the configured key, shows
// Stop while busy, edits a message, and its caret comes to rest so an idle window does no work.
#include "Composer.h"
#include "ComposerEdit.h"

#include <QApplication>
#include <QPushButton>
#include <QSignalSpy>
#include <QStyleHints>
#include <QTest>

using namespace moonpane;
using namespace Qt::StringLiterals;

class TestComposer : public QObject
{
    Q_OBJECT

private slots:
    void growsToALimit();
    void sendAndStop();
    void editing();
    void caretComesToRest();
};

void TestComposer::growsToALimit()
{
    Composer composer;
    composer.resize(500, 200);
    composer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&composer));
    ComposerEdit *edit = composer.editor();
    const int empty = edit->sizeHint().height();
    composer.setText(u"1\n2\n3\n4\n5"_s);
    const int five = edit->sizeHint().height();
    QVERIFY(five > empty);
    composer.setText(QString(u"line\n"_s).repeated(50));
    const int many = edit->sizeHint().height();
    QVERIFY(many > five);
    composer.setText(QString(u"line\n"_s).repeated(200));
    QCOMPARE(edit->sizeHint().height(), many); // capped: it scrolls beyond the limit
}

void TestComposer::sendAndStop()
{
    Composer composer;
    QSignalSpy sent(&composer, &Composer::sendRequested);
    QSignalSpy stop(&composer, &Composer::stopRequested);
    auto *button = composer.findChild<QPushButton *>(u"sendButton"_s);
    QVERIFY(!button->isEnabled()); // nothing to send
    QTest::keyClick(composer.editor(), Qt::Key_Return);
    QCOMPARE(sent.size(), 0);
    composer.setText(u"hello"_s);
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.at(0).at(0).toString(), u"hello"_s);
    composer.setBusy(true);
    QCOMPARE(button->text(), u"Stop"_s);
    QTest::keyClick(composer.editor(), Qt::Key_Return); // Enter never sends while a reply streams
    QCOMPARE(sent.size(), 1);
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(stop.size(), 1);
}

void TestComposer::editing()
{
    Composer composer;
    QSignalSpy cancelled(&composer, &Composer::editingCancelled);
    composer.beginEditing(42, u"old text"_s);
    QCOMPARE(composer.editingMessageId(), 42);
    QCOMPARE(composer.text(), u"old text"_s);
    QCOMPARE(composer.findChild<QPushButton *>(u"sendButton"_s)->text(), u"Resend"_s);
    composer.cancelEditing();
    QCOMPARE(composer.editingMessageId(), 0);
    QCOMPARE(composer.text(), QString());
    QCOMPARE(cancelled.size(), 1);
    composer.showProblems({u"temperature must be between 0 and 2"_s});
    QVERIFY(composer.problemText().contains(u"temperature"_s));
    composer.showProblems({});
    QCOMPARE(composer.problemText(), QString());
}

void TestComposer::caretComesToRest()
{
    const int systemFlash = QGuiApplication::styleHints()->cursorFlashTime();
    QVERIFY(systemFlash > 0);
    Composer composer;
    composer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&composer));
    composer.editor()->setCaretRestInterval(50);
    composer.focusInput();
    QTest::keyClick(composer.editor(), Qt::Key_A);
    QCOMPARE(QGuiApplication::styleHints()->cursorFlashTime(), systemFlash); // blinking while typing
    QTRY_COMPARE(QGuiApplication::styleHints()->cursorFlashTime(), 0); // then a steady caret
    QTest::keyClick(composer.editor(), Qt::Key_B);
    QCOMPARE(QGuiApplication::styleHints()->cursorFlashTime(), systemFlash); // input wakes it
    QCOMPARE(composer.text(), u"ab"_s);
}

QTEST_MAIN(TestComposer)
#include "tst_Composer.moc"
