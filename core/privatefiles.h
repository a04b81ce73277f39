#pragma once

#include <QString>
#include <QStringList>

namespace jobmonitor {

// Job Monitor's files hold command lines, environments and the jobs' output: only the user
// running it may read them. Every folder of ours goes through ensurePrivateDirectory() and
// every file we write through openPrivateFile().

// Makes path a folder that only the current user can use. Missing folders on the way are
// created with mode 0700. An existing folder must belong to the user and must not be writable
// by its group or by others; it is refused otherwise, because whoever can write in it may
// already have put files or links there. Read and search permission for others is taken away,
// with a line in notes saying so. what names the folder in messages ("state folder").
// Returns an error message, or an empty string.
QString ensurePrivateDirectory(const QString &path, const QString &what, QStringList *notes);

// Opens path for appending (creating it with mode 0600), close-on-exec, and never through a
// symbolic link: a link in its place is refused. An existing regular file of the user's that
// others could read is made 0600 (with a line in notes). Returns the descriptor, or -1 and
// the reason in error.
int openPrivateFile(const QString &path, QString *error, QStringList *notes);

} // namespace jobmonitor
