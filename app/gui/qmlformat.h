#pragma once

#include <QDateTime>
#include <QFont>
#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

// The formatters of jobformat.h for QML, so the window never formats a number, a duration or a
// state itself (JavaScript's "%1".arg(3841150) prints "3.84115e+06").
class QmlFormat : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(Format)
    QML_SINGLETON
public:
    explicit QmlFormat(QObject *parent = nullptr);

    // QML numbers are doubles; counts and milliseconds arrive as such.
    Q_INVOKABLE QString count(double count) const;
    Q_INVOKABLE QString clock(double milliseconds) const;
    Q_INVOKABLE QString seconds(double milliseconds) const;
    Q_INVOKABLE QString dateTime(const QDateTime &time) const;
    Q_INVOKABLE QString signal(int signal) const;
    Q_INVOKABLE QString stateLabel(int state) const;
    Q_INVOKABLE QString cpu(double percent) const;
    Q_INVOKABLE QString bytes(double bytes) const;
};

// The desktop's fonts for QML: the fixed-width font the user chose for terminals and code.
class SystemFonts : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(QFont fixed READ fixed CONSTANT)
public:
    explicit SystemFonts(QObject *parent = nullptr);
    QFont fixed() const;
};

} // namespace jobmonitor
