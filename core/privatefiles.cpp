#include "privatefiles.h"

#include <QDir>
#include <QFile>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace jobmonitor {

namespace {

QString quoted(const QString &path) {
    return QLatin1Char('\'') + path + QLatin1Char('\'');
}

QString modeText(mode_t mode) {
    return QStringLiteral("%1").arg(mode & 07777, 4, 8, QLatin1Char('0'));
}

QString userText(uid_t uid) {
    const passwd *entry = ::getpwuid(uid);
    if (entry && entry->pw_name)
        return QStringLiteral("user %1 (%2)").arg(uid).arg(QString::fromLocal8Bit(entry->pw_name));
    return QStringLiteral("user %1").arg(uid);
}

QString errnoText(int error) {
    return QString::fromLocal8Bit(std::strerror(error));
}

// mkdir -p with mode 0700 for every folder it creates.
QString createMissing(const QString &path, const QString &what) {
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString prefix;
    for (const QString &part : parts) {
        prefix += QLatin1Char('/') + part;
        const QByteArray encoded = QFile::encodeName(prefix);
        if (::mkdir(encoded.constData(), 0700) == 0 || errno == EEXIST)
            continue;
        return QStringLiteral("cannot create %1 %2: %3")
            .arg(what, quoted(prefix), errnoText(errno));
    }
    return QString();
}

} // namespace

QString ensurePrivateDirectory(const QString &path, const QString &what, QStringList *notes) {
    if (path.trimmed().isEmpty())
        return QStringLiteral("the %1 name is empty").arg(what);
    const QString absolute = QDir::cleanPath(QDir::current().absoluteFilePath(path));
    const QByteArray encoded = QFile::encodeName(absolute);
    struct stat info = {};
    if (::stat(encoded.constData(), &info) != 0) {
        if (errno != ENOENT)
            return QStringLiteral("cannot use %1 %2: %3").arg(what, quoted(path), errnoText(errno));
        if (const QString error = createMissing(absolute, what); !error.isEmpty())
            return error;
        if (::stat(encoded.constData(), &info) != 0)
            return QStringLiteral("cannot use %1 %2: %3").arg(what, quoted(path), errnoText(errno));
    }
    if (!S_ISDIR(info.st_mode))
        return QStringLiteral("%1 %2 is not a folder").arg(what, quoted(path));
    if (info.st_uid != ::geteuid()) {
        return QStringLiteral("%1 %2 belongs to %3, not to %4: refused, as its owner could read "
                              "and change what Job Monitor keeps there")
            .arg(what, quoted(path), userText(info.st_uid), userText(::geteuid()));
    }
    if (info.st_mode & (S_IWGRP | S_IWOTH)) {
        return QStringLiteral("%1 %2 can be written by its group or by others (mode %3): "
                              "refused, as anyone could have put files or links in it; if that "
                              "is not so, make it private with: chmod 700 %2")
            .arg(what, quoted(path), modeText(info.st_mode));
    }
    if (info.st_mode & (S_IRWXG | S_IRWXO)) {
        const mode_t tightened = (info.st_mode & 07777 & ~mode_t(S_IRWXG | S_IRWXO)) | S_IRWXU;
        if (::chmod(encoded.constData(), tightened) != 0) {
            return QStringLiteral("cannot make %1 %2 private (mode %3): %4")
                .arg(what, quoted(path), modeText(info.st_mode), errnoText(errno));
        }
        if (notes) {
            notes->append(
                QStringLiteral("made %1 %2 private: mode %3, was %4")
                    .arg(what, quoted(path), modeText(tightened), modeText(info.st_mode)));
        }
    }
    return QString();
}

int openPrivateFile(const QString &path, QString *error, QStringList *notes) {
    const QByteArray encoded = QFile::encodeName(path);
    const int fd =
        ::open(encoded.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        const int openError = errno;
        struct stat link = {};
        if (openError == ELOOP && ::lstat(encoded.constData(), &link) == 0 && S_ISLNK(link.st_mode))
            *error = QStringLiteral("it is a symbolic link: refused, Job Monitor never writes "
                                    "its files through a link");
        else
            *error = errnoText(openError);
        return -1;
    }
    struct stat info = {};
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_uid == ::geteuid() &&
        (info.st_mode & (S_IRWXG | S_IRWXO))) {
        if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
            *error = QStringLiteral("cannot make it private (mode %1): %2")
                         .arg(modeText(info.st_mode), errnoText(errno));
            ::close(fd);
            return -1;
        }
        if (notes) {
            notes->append(QStringLiteral("made %1 private: mode 0600, was %2")
                              .arg(quoted(path), modeText(info.st_mode)));
        }
    }
    return fd;
}

} // namespace jobmonitor
