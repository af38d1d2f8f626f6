#include "MainWindow.h"

#include <QLabel>

namespace moonpane {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("Moonpane"));
    auto *label = new QLabel(tr("Moonpane"), this);
    label->setAlignment(Qt::AlignCenter);
    setCentralWidget(label);
    resize(900, 640);
}

} // namespace moonpane
