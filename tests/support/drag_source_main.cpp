// moonpane-drag-source FILE...: a small window that starts a real drag of FILE... (as file URLs,
// the way a file manager does) when the mouse is pressed in it. Driven by xdotool under Xvfb, it
// is another X client dragging into Moonpane: the drag-and-drop test and the screenshots use it.
// It prints "ready X Y" (the window's centre on screen) once it is shown, and "dropped" or
// "refused" once the drag is over; it stays a few seconds more, as a file manager would, for the
// target asks the source for the data after the drop (X11's drag and drop), then exits.
#include <QApplication>
#include <QDrag>
#include <QFileInfo>
#include <QMimeData>
#include <QMouseEvent>
#include <QTimer>
#include <QUrl>
#include <QWidget>

#include <cstdio>

namespace {

class DragSource final : public QWidget
{
public:
    explicit DragSource(QList<QUrl> urls)
        : m_urls(std::move(urls))
    {
        setWindowTitle(QStringLiteral("moonpane-drag-source"));
        setFixedSize(120, 80);
    }

protected:
    void mousePressEvent(QMouseEvent *) override
    {
        auto *drag = new QDrag(this);
        auto *mime = new QMimeData;
        mime->setUrls(m_urls);
        drag->setMimeData(mime);
        const Qt::DropAction result = drag->exec(Qt::CopyAction);
        std::printf(result == Qt::CopyAction ? "dropped\n" : "refused\n");
        std::fflush(stdout);
        QTimer::singleShot(5000, qApp, &QCoreApplication::quit);
    }
    void showEvent(QShowEvent *) override
    {
        QTimer::singleShot(200, this, [this] {
            const QPoint centre = mapToGlobal(rect().center());
            std::printf("ready %d %d\n", centre.x(), centre.y());
            std::fflush(stdout);
        });
    }

private:
    QList<QUrl> m_urls;
};

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QList<QUrl> urls;
    for (const QString &path : app.arguments().mid(1))
        urls.append(QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath()));
    DragSource source(urls);
    source.move(0, 0);
    source.show();
    return app.exec();
}
