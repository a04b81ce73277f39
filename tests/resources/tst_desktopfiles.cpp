// The files that present the app to a desktop: the desktop entry and the AppStream metainfo
// pass their validators with nothing to report, and they agree with each other, with the
// project's version and with the files in the repository they name.
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>
#include <QXmlStreamReader>

#include <optional>

using namespace jobmonitor::test;

namespace {

const QString AppId = QStringLiteral("io.github.jobmonitor.JobMonitor");
// Screenshots are given as URLs of the repository's own files.
const QString RepositoryFiles =
    QStringLiteral("https://raw.githubusercontent.com/jobmonitor/jobmonitor/main/");

QString sourceFile(const QString &relativePath) {
    return QDir(QStringLiteral(JM_SOURCE_DIR)).filePath(relativePath);
}
QString desktopFile() {
    return sourceFile(QStringLiteral("resources/%1.desktop").arg(AppId));
}
QString metainfoFile() {
    return sourceFile(QStringLiteral("resources/%1.metainfo.xml").arg(AppId));
}

struct ToolRun {
    int exitCode = -1;
    QByteArray output; // stdout and stderr together
};

std::optional<ToolRun> runTool(const QString &program, const QStringList &arguments) {
    QProcess tool;
    tool.setProcessChannelMode(QProcess::MergedChannels);
    tool.start(program, arguments);
    if (!tool.waitForFinished(60000) || tool.exitStatus() != QProcess::NormalExit)
        return std::nullopt;
    return ToolRun{tool.exitCode(), tool.readAll()};
}

// What the metainfo says, read the way a software centre reads it.
struct Metainfo {
    QString id;
    QString launchable;
    QString binary;
    QStringList screenshots;
    QStringList releases;
    QString error;
};

Metainfo readMetainfo(const QString &path) {
    Metainfo info;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        info.error = file.errorString();
        return info;
    }
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        const QStringView name = xml.name();
        if (name == u"id")
            info.id = xml.readElementText();
        else if (name == u"launchable")
            info.launchable = xml.readElementText();
        else if (name == u"binary")
            info.binary = xml.readElementText();
        else if (name == u"image")
            info.screenshots << xml.readElementText();
        else if (name == u"release")
            info.releases << xml.attributes().value(QStringLiteral("version")).toString();
    }
    if (xml.hasError())
        info.error = xml.errorString();
    return info;
}

} // namespace

class TestDesktopFiles : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        for (const char *tool : {"desktop-file-validate", "appstreamcli"})
            QVERIFY2(!QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty(),
                     qPrintable(
                         QStringLiteral("%1 is missing: run .ci/setup").arg(QLatin1String(tool))));
    }

    // Hints count as failures too: the validator prints nothing for a clean file.
    void desktopEntryValidates() {
        const std::optional<ToolRun> run =
            runTool(QStringLiteral("desktop-file-validate"), {desktopFile()});
        QVERIFY(run);
        QVERIFY2(run->exitCode == 0 && run->output.trimmed().isEmpty(), run->output.constData());
    }

    void metainfoValidates() {
        const std::optional<ToolRun> run =
            runTool(QStringLiteral("appstreamcli"),
                    {"validate", "--no-net", "--pedantic", "--format", "yaml", metainfoFile()});
        QVERIFY(run);
        QVERIFY2(run->exitCode == 0, run->output.constData());
        QVERIFY2(run->output.contains("\nPassed: yes"), run->output.constData());
        // Every issue at every severity fails, but for one pedantic hint: the id has capitals,
        // because it is also the desktop file's name and the app's D-Bus name, and those keep
        // the reverse-DNS spelling of the app's name.
        static const QRegularExpression tagLine(QStringLiteral("^- tag: (\\S+)$"),
                                                QRegularExpression::MultilineOption);
        QStringList tags;
        for (auto match = tagLine.globalMatch(QString::fromUtf8(run->output)); match.hasNext();)
            tags << match.next().captured(1);
        tags.removeAll(QStringLiteral("cid-contains-uppercase-letter"));
        QVERIFY2(tags.isEmpty(), run->output.constData());
    }

    void desktopEntryNamesTheAppsFiles() {
        const QMap<QString, QString> entry = readDesktopEntry(desktopFile());
        QVERIFY2(!entry.isEmpty(), qPrintable(desktopFile()));
        QCOMPARE(entry.value("Exec"), QStringLiteral("jobmonitor"));
        QCOMPARE(entry.value("Icon"), AppId);
        QVERIFY(QFile::exists(sourceFile(QStringLiteral("resources/%1.svg").arg(AppId))));
        // The running window's WM_CLASS is checked against it in tst_e2e_install.
        QCOMPARE(entry.value("StartupWMClass"), QStringLiteral("jobmonitor"));
    }

    void metainfoMatchesTheProject() {
        const Metainfo info = readMetainfo(metainfoFile());
        QVERIFY2(info.error.isEmpty(), qPrintable(info.error));
        QCOMPARE(info.id, AppId);
        QCOMPARE(info.launchable, AppId + QStringLiteral(".desktop"));
        QCOMPARE(info.binary, QStringLiteral("jobmonitor"));
        // The newest release comes first and is the version being built.
        QVERIFY(!info.releases.isEmpty());
        QCOMPARE(info.releases.constFirst(), QStringLiteral(JM_PROJECT_VERSION));
        QVERIFY(!info.screenshots.isEmpty());
        for (const QString &url : info.screenshots) {
            QVERIFY2(url.startsWith(RepositoryFiles), qPrintable(url));
            const QString file = sourceFile(url.mid(RepositoryFiles.size()));
            QVERIFY2(QFile::exists(file), qPrintable(url + QStringLiteral(": no file ") + file));
        }
    }
};

QTEST_GUILESS_MAIN(TestDesktopFiles)
#include "tst_desktopfiles.moc"
