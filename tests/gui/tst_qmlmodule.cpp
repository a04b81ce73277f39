// Every QML file of the JobMonitor module loads, with every module it imports installed, and
// .ci/setup installs each of those modules on a fresh machine. A missing module otherwise
// shows only when its part of the window is first used (Browse did nothing for want of
// Qt.labs.folderlistmodel).
#include "appcontroller.h"
#include "englishplurals.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "shutdowncoordinator.h"

#include <QDir>
#include <QFile>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickStyle>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <memory>

using namespace jobmonitor;

namespace {

const QString ModuleDir = QStringLiteral(":/JobMonitor");

QStringList qmlFiles(const QString &dir) {
    QStringList files = QDir(dir).entryList({QStringLiteral("*.qml")}, QDir::Files, QDir::Name);
    return files;
}

// The modules a QML file imports ("QtQuick.Controls"), by reading its import lines.
QSet<QString> importsOf(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    static const QRegularExpression import(QStringLiteral("^import\\s+([A-Za-z][\\w.]*)"),
                                           QRegularExpression::MultilineOption);
    QSet<QString> modules;
    for (const QRegularExpressionMatch &m : import.globalMatch(QString::fromUtf8(file.readAll())))
        modules.insert(m.captured(1));
    return modules;
}

// Modules Qt's own modules load for us, which no import line names.
const QMap<QString, QStringList> &impliedModules() {
    static const QMap<QString, QStringList> implied{
        {QStringLiteral("QtQuick"),
         {QStringLiteral("QtQml"), QStringLiteral("QtQml.Models"),
          QStringLiteral("QtQml.WorkerScript")}},
        {QStringLiteral("QtQuick.Controls"), {QStringLiteral("QtQuick.Templates")}},
        // The folder dialog Qt draws itself (no desktop's own dialog) is a list of folders.
        {QStringLiteral("QtQuick.Dialogs"), {QStringLiteral("Qt.labs.folderlistmodel")}},
    };
    return implied;
}

// Debian names the package of QML module A.B "qml6-module-a-b".
QString debianPackage(const QString &module) {
    return QStringLiteral("qml6-module-") +
           module.toLower().replace(QLatin1Char('.'), QLatin1Char('-'));
}

} // namespace

class TestQmlModule : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        installEnglishPlurals();
    }

    // What CMake puts in the module is what the source folder has.
    void everySourceFileIsInTheModule() {
        QCOMPARE(qmlFiles(ModuleDir), qmlFiles(QStringLiteral(JM_QML_SOURCE_DIR)));
    }

    void fileLoads_data() {
        QTest::addColumn<QString>("name");
        for (const QString &name : qmlFiles(ModuleDir))
            QTest::newRow(qPrintable(name)) << name;
    }
    void fileLoads() {
        QFETCH(QString, name);
        QQmlEngine engine;
        engine.addImportPath(QStringLiteral("qrc:/"));
        AppController::setBackend(engine, &m_service, &m_coordinator);
        QQmlComponent component(&engine);
        if (name == QLatin1String("Theme.qml")) {
            // A singleton loads when it is first used.
            component.setData(
                "import JobMonitor\nimport QtQml\nQtObject { property var theme: Theme }",
                QUrl(QStringLiteral("qrc:/themeuser.qml")));
            std::unique_ptr<QObject> user(component.create());
            QVERIFY2(user && user->property("theme").value<QObject *>(),
                     qPrintable(component.errorString()));
            return;
        }
        component.loadUrl(QUrl(QStringLiteral("qrc:/JobMonitor/") + name));
        QTRY_VERIFY(!component.isLoading());
        QVERIFY2(component.isReady(), qPrintable(component.errorString()));
    }

    // Each module imported by the window or its tests, and each module those load, comes from
    // a package .ci/setup installs.
    void setupInstallsEveryImportedModule() {
        QFile setup(QStringLiteral(JM_SOURCE_DIR "/.ci/setup"));
        QVERIFY(setup.open(QIODevice::ReadOnly));
        const QSet<QString> packages = [&] {
            static const QRegularExpression word(QStringLiteral("[\\w.+-]+"));
            QSet<QString> words;
            for (const QRegularExpressionMatch &m :
                 word.globalMatch(QString::fromUtf8(setup.readAll())))
                words.insert(m.captured());
            return words;
        }();

        QSet<QString> modules;
        for (const QString &dir :
             {QStringLiteral(JM_QML_SOURCE_DIR), QStringLiteral(JM_SOURCE_DIR "/tests/qml")})
            for (const QString &name : qmlFiles(dir))
                modules.unite(importsOf(dir + QLatin1Char('/') + name));
        QVERIFY(modules.contains(QStringLiteral("QtQuick.Dialogs")));
        for (const QString &module : QSet<QString>(modules))
            for (const QString &implied : impliedModules().value(module))
                modules.insert(implied);
        modules.remove(QStringLiteral("JobMonitor"));

        for (const QString &module : modules) {
            const QString package = debianPackage(module);
            QVERIFY2(
                packages.contains(package),
                qPrintable(QStringLiteral("%1 (Debian package %2) is not installed by .ci/setup")
                               .arg(module, package)));
            // And it is installed here, so the tests above ran against it.
            QQmlEngine engine;
            QQmlComponent probe(&engine);
            probe.setData(
                QStringLiteral("import %1\nimport QtQml\nQtObject {}").arg(module).toUtf8(),
                QUrl());
            QVERIFY2(probe.isReady(),
                     qPrintable(module + QLatin1String(": ") + probe.errorString()));
        }
    }

private:
    JobSupervisor m_supervisor;
    JobService m_service{&m_supervisor};
    ShutdownCoordinator m_coordinator{&m_supervisor};
};

QTEST_MAIN(TestQmlModule)
#include "tst_qmlmodule.moc"
