// The tree that `cmake --install` gives, installed into a temporary prefix: exactly the app's
// files with their modes, a desktop entry that names them, jobs run by the installed shim
// (also after the tree has moved, and with a clear error when the shim is gone), and the
// window shown on a real X server with the WM_CLASS the desktop entry names, ended by SIGTERM
// with nothing left running.
#include "e2eutil.h"
#include "testutil.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <optional>
#include <sys/stat.h>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

const QString AppId = QStringLiteral("io.github.jobmonitor.JobMonitor");
const QString InterfaceName = QStringLiteral("io.github.jobmonitor.JobMonitor1");
const QString ShimPath = QStringLiteral("libexec/jobmonitor/jobmonitor-shim");
const QList<int> IconSizes{16, 32, 48, 64, 128, 256};

// Installed files relative to the prefix, with their modes.
QMap<QString, int> expectedFiles() {
    QMap<QString, int> files{
        {QStringLiteral("bin/jobmonitor"), 0755},
        {ShimPath, 0755},
        {QStringLiteral("share/applications/%1.desktop").arg(AppId), 0644},
        {QStringLiteral("share/metainfo/%1.metainfo.xml").arg(AppId), 0644},
        {QStringLiteral("share/icons/hicolor/scalable/apps/%1.svg").arg(AppId), 0644},
        {QStringLiteral("share/dbus-1/interfaces/%1.xml").arg(InterfaceName), 0644},
    };
    for (int size : IconSizes)
        files.insert(QStringLiteral("share/icons/hicolor/%1x%1/apps/%2.png").arg(size).arg(AppId),
                     0644);
    return files;
}

// Width and height from a PNG's IHDR chunk; nothing when the file is no PNG.
std::optional<std::pair<int, int>> pngSize(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray head = file.read(24);
    if (head.size() < 24 || !head.startsWith("\x89PNG\r\n\x1a\n") || head.mid(12, 4) != "IHDR")
        return std::nullopt;
    const auto bigEndian = [&head](int offset) {
        int value = 0;
        for (int i = 0; i < 4; ++i)
            value = (value << 8) | quint8(head.at(offset + i));
        return value;
    };
    return std::pair{bigEndian(16), bigEndian(20)};
}

QString canonical(const QString &path) {
    return QFileInfo(path).canonicalFilePath();
}

QByteArray readFile(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestE2eInstall : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_prefix;
    QProcess m_xserver;
    QProcessEnvironment m_xEnvironment = QProcessEnvironment::systemEnvironment();

    struct Ran {
        bool succeeded = false; // exited by itself with status 0
        QByteArray output;
        QByteArray error;
    };
    static Ran
    run(const QString &program, const QStringList &arguments,
        const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment()) {
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(program, arguments);
        const bool finished = process.waitForFinished(120000);
        return Ran{finished && process.exitStatus() == QProcess::NormalExit &&
                       process.exitCode() == 0,
                   process.readAllStandardOutput(), process.readAllStandardError()};
    }

    static void stop(QProcess &process) {
        if (process.state() == QProcess::NotRunning)
            return;
        process.kill();
        process.waitForFinished(10000);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        for (const char *tool : {"Xvfb", "xdotool", "xprop"})
            QVERIFY2(!QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty(),
                     qPrintable(
                         QStringLiteral("%1 is missing: run .ci/setup").arg(QLatin1String(tool))));

        m_prefix = canonical(m_dir.path()) + QStringLiteral("/prefix");
        const Ran install = run(QStringLiteral(JM_CMAKE_COMMAND),
                                {"--install", QStringLiteral(JM_BUILD_DIR), "--prefix", m_prefix});
        QVERIFY2(install.succeeded, install.error.constData());

        // -displayfd 1: the server picks a free display and prints its number when ready.
        m_xserver.start(QStringLiteral("Xvfb"), {"-displayfd", "1", "-screen", "0", "1280x1024x24",
                                                 "-nolisten", "tcp", "-noreset"});
        QVERIFY(m_xserver.waitForStarted(10000));
        QByteArray display;
        while (!display.endsWith('\n') && m_xserver.waitForReadyRead(20000))
            display += m_xserver.readAllStandardOutput();
        QVERIFY2(!display.trimmed().isEmpty(), m_xserver.readAllStandardError().constData());
        m_xEnvironment.insert(QStringLiteral("DISPLAY"),
                              QLatin1Char(':') + QString::fromLatin1(display.trimmed()));
        m_xEnvironment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    }

    void cleanupTestCase() {
        if (m_xserver.state() != QProcess::NotRunning) {
            m_xserver.terminate();
            if (!m_xserver.waitForFinished(5000))
                stop(m_xserver);
        }
    }

    // The app's own files and nothing else: no test, benchmark or library of the build.
    void installsTheAppsFilesOnly() {
        QMap<QString, int> installed;
        for (QDirIterator it(m_prefix, QDir::Files | QDir::Hidden | QDir::System,
                             QDirIterator::Subdirectories);
             it.hasNext();) {
            const QString path = it.next();
            struct stat status {};
            QCOMPARE(::lstat(QFile::encodeName(path).constData(), &status), 0);
            QVERIFY2(S_ISREG(status.st_mode), qPrintable(path));
            installed.insert(QDir(m_prefix).relativeFilePath(path), int(status.st_mode & 07777));
        }
        QCOMPARE(installed, expectedFiles());
    }

    void desktopEntryNamesInstalledFiles() {
        const QMap<QString, QString> entry = readDesktopEntry(
            m_prefix + QStringLiteral("/share/applications/%1.desktop").arg(AppId));
        QVERIFY(!entry.isEmpty());
        QVERIFY(QFileInfo(m_prefix + QStringLiteral("/bin/") + entry.value("Exec")).isExecutable());
        const QString icons = m_prefix + QStringLiteral("/share/icons/hicolor/");
        const QString icon = entry.value("Icon");
        QVERIFY(!icon.isEmpty());
        QVERIFY(QFile::exists(icons + QStringLiteral("scalable/apps/%1.svg").arg(icon)));
        for (int size : IconSizes) {
            const QString png = icons + QStringLiteral("%1x%1/apps/%2.png").arg(size).arg(icon);
            QCOMPARE(pngSize(png), std::optional(std::pair{size, size}));
        }
    }

    void jobRunsTheInstalledShim_data() {
        QTest::addColumn<bool>("moved");
        QTest::newRow("where installed") << false;
        // The shim is found relative to the binary, not at a path fixed when building.
        QTest::newRow("after the tree moved") << true;
    }

    void jobRunsTheInstalledShim() {
        QFETCH(bool, moved);
        QString prefix = m_prefix;
        if (moved) {
            prefix = canonical(m_dir.path()) + QStringLiteral("/moved-prefix");
            const Ran copy = run(QStringLiteral("cp"), {"-a", m_prefix, prefix});
            QVERIFY2(copy.succeeded, copy.error.constData());
        }
        // The job's shell is a child of the shim: its parent's executable is the shim.
        const QString marker = m_dir.filePath(QStringLiteral("shim-of-%1").arg(moved));
        QProcess app;
        app.start(prefix + QStringLiteral("/bin/jobmonitor"),
                  {"--headless", "--state-dir", m_dir.filePath("state-headless"), "--job",
                   QStringLiteral("readlink /proc/$PPID/exe > '%1'").arg(marker)});
        QVERIFY(app.waitForFinished(60000));
        QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0,
                 app.readAllStandardError().constData());
        QCOMPARE(QString::fromLocal8Bit(readFile(marker).trimmed()),
                 canonical(prefix + QLatin1Char('/') + ShimPath));
    }

    // Without the shim, the job fails to start and says where the shim was looked for, instead
    // of an "execvp: No such file or directory" that reads as if the job's command were missing.
    void missingShimIsNamed() {
        const QString moved = canonical(m_dir.path()) + QStringLiteral("/no-shim");
        QVERIFY(QDir().mkpath(moved + QStringLiteral("/bin")));
        QVERIFY(QFile::copy(m_prefix + QStringLiteral("/bin/jobmonitor"),
                            moved + QStringLiteral("/bin/jobmonitor")));
        const QString marker = m_dir.filePath(QStringLiteral("never-ran"));
        QProcess app;
        app.start(moved + QStringLiteral("/bin/jobmonitor"),
                  {"--headless", "--json", "--state-dir", m_dir.filePath("state-no-shim"), "--job",
                   QStringLiteral("touch '%1'").arg(marker)});
        QVERIFY(app.waitForFinished(60000));
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 1);
        const QJsonObject last =
            QJsonDocument::fromJson(app.readAllStandardOutput().trimmed().split('\n').last())
                .object();
        QCOMPARE(last.value("to").toString(), QStringLiteral("Failed"));
        QCOMPARE(last.value("event").toString(), QStringLiteral("LaunchFailed"));
        const QString reason = last.value("reason").toString();
        QVERIFY2(reason.contains(QStringLiteral("cannot find jobmonitor-shim")),
                 qPrintable(reason));
        for (const QString &place :
             {moved + QStringLiteral("/bin/jobmonitor-shim"), moved + QLatin1Char('/') + ShimPath})
            QVERIFY2(reason.contains(place), qPrintable(reason));
        QVERIFY(!QFile::exists(marker));
    }

    void windowShowsAndEndsOnSigterm_data() {
        QTest::addColumn<bool>("throughSymlink");
        QTest::newRow("installed binary") << false;
        // The window class is the app's, not argv[0]'s: a launcher by another name still matches.
        QTest::newRow("through a symlink") << true;
    }

    void windowShowsAndEndsOnSigterm() {
        QFETCH(bool, throughSymlink);
        QString program = m_prefix + QStringLiteral("/bin/jobmonitor");
        if (throughSymlink) {
            const QString link = m_dir.filePath(QStringLiteral("jm-launcher"));
            QVERIFY(QFile::link(program, link));
            program = link;
        }
        const QString tag = QString::fromLatin1(QTest::currentDataTag()).replace(' ', '-');
        const QString pidFile = m_dir.filePath(QStringLiteral("pids-") + tag);
        const QString shimPidFile = m_dir.filePath(QStringLiteral("shim-pid-") + tag);
        QProcess app;
        app.setProcessEnvironment(m_xEnvironment);
        app.setProcessChannelMode(QProcess::SeparateChannels);
        app.start(program, {"--state-dir", m_dir.filePath(QStringLiteral("state-") + tag), "--job",
                            QStringLiteral("echo $PPID > '%1' && ").arg(shimPidFile) +
                                testChildCommand({"--pidfile", pidFile, "--sleep", "-1"})});
        QVERIFY2(app.waitForStarted(10000), qPrintable(app.errorString()));
        QList<qint64> pids;
        const auto cleanup = qScopeGuard([&] {
            stop(app);
            for (qint64 pid : alivePids(pids))
                ::kill(pid_t(pid), SIGKILL);
            waitUntilDead(pids, 5s);
        });

        pids = waitForPids(pidFile, 1, 30s);
        QVERIFY2(!pids.isEmpty(), app.readAllStandardError().constData());
        const qint64 shimPid = readFile(shimPidFile).trimmed().toLongLong();
        QVERIFY(shimPid > 0);
        pids << shimPid;
        QCOMPARE(canonical(QStringLiteral("/proc/%1/exe").arg(shimPid)),
                 canonical(m_prefix + QLatin1Char('/') + ShimPath));

        // xdotool prints nothing (and fails) until the window is mapped, and also fails, even
        // after it was found, when a window of the app goes away during its search (BadWindow).
        // Polled by hand: QTRY_* evaluates its condition once more after it held.
        const QStringList search{"search", "--onlyvisible",
                                 "--pid",  QString::number(app.processId()),
                                 "--name", "^Job Monitor"};
        QByteArray window;
        for (QDeadlineTimer deadline(30s); window.isEmpty() && !deadline.hasExpired();
             QTest::qWait(50))
            window = run(QStringLiteral("xdotool"), search, m_xEnvironment).output.trimmed();
        QVERIFY2(!window.isEmpty(), app.readAllStandardError().constData());
        // WM_CLASS(STRING) = "<instance>", "<class>"; docks match the class to StartupWMClass.
        const Ran wmClass =
            run(QStringLiteral("xprop"),
                {"-id", QString::fromLatin1(window.split('\n').constFirst()), "WM_CLASS"},
                m_xEnvironment);
        QVERIFY2(wmClass.succeeded, wmClass.error.constData());
        const QList<QByteArray> names = wmClass.output.split('"');
        QVERIFY2(names.size() == 5, wmClass.output.constData());
        const QMap<QString, QString> entry = readDesktopEntry(
            m_prefix + QStringLiteral("/share/applications/%1.desktop").arg(AppId));
        QCOMPARE(QString::fromLatin1(names.at(3)), entry.value("StartupWMClass"));

        ::kill(pid_t(app.processId()), SIGTERM);
        QVERIFY2(app.waitForFinished(30000), "jobmonitor did not exit on SIGTERM");
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 143);
        QCOMPARE(waitUntilDead(pids, 0ms), QList<qint64>());
    }
};

QTEST_GUILESS_MAIN(TestE2eInstall)
#include "tst_e2e_install.moc"
