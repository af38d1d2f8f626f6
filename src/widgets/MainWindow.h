// The main window of Moonpane.
#pragma once

#include <QMainWindow>

namespace moonpane {

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace moonpane
