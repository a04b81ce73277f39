#include "latestline.h"

#include <QDir>
#include <QFile>

#include <sys/stat.h>

namespace jobmonitor {

namespace {

// Longer lines exist (a progress bar a terminal's width wide is well under it), but a line
// that is not progress is no loss.
constexpr qint64 kTailBytes = 8192;

struct FileState {
    QString path;
    qint64 size = 0;
    qint64 modifiedNs = -1;
};

FileState stateOf(const QString &path) {
    FileState state{path};
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) == 0) {
        state.size = qint64(info.st_size);
        state.modifiedNs = qint64(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
    }
    return state;
}

bool isBreak(char c) {
    return c == '\n' || c == '\r';
}

} // namespace

std::optional<LatestLine> readLatestLine(const QString &outputDirectory) {
    const QDir dir(outputDirectory);
    const FileState out = stateOf(dir.filePath(QStringLiteral("stdout")));
    const FileState err = stateOf(dir.filePath(QStringLiteral("stderr")));
    // The one written last; on a tie (a coarse clock) the larger.
    const bool useErr = err.modifiedNs > out.modifiedNs ||
                        (err.modifiedNs == out.modifiedNs && err.size > out.size);
    const FileState &latest = useErr ? err : out;
    if (latest.size <= 0)
        return std::nullopt;
    QFile file(latest.path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const qint64 start = std::max<qint64>(0, latest.size - kTailBytes);
    if (!file.seek(start))
        return std::nullopt;
    const QByteArray tail = file.read(latest.size - start);
    if (tail.isEmpty())
        return std::nullopt;

    qsizetype end = tail.size();
    LatestLine line;
    line.fileSize = start + tail.size();
    line.fromStderr = useErr;
    // A line break at the very end ends the line before it.
    if (isBreak(tail.back())) {
        line.ended = true;
        --end;
        // "\r\n" ends one line.
        if (end > 0 && tail.at(end) == '\n' && tail.at(end - 1) == '\r')
            --end;
    }
    qsizetype begin = end;
    while (begin > 0 && !isBreak(tail.at(begin - 1)))
        --begin;
    if (begin == 0 && start > 0)
        return std::nullopt;
    line.text = QString::fromUtf8(tail.mid(begin, end - begin));
    return line;
}

} // namespace jobmonitor
