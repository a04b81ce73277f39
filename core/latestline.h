#pragma once

#include <QString>

#include <optional>

namespace jobmonitor {

// The latest line of an attempt's saved output (attemptoutput.h), as a progress parser reads
// it (progressparser.h): the end of whichever of stdout and stderr was written last, after
// its last '\r' or '\n'. Reads at most the last few KiB of one file, so its cost does not grow
// with the output.
struct LatestLine {
    QString text;
    // A '\n' or '\r' followed it: it will not change. Otherwise more of it may come.
    bool ended = false;
    // Bytes in the file it was read from, and which one: tells a new reading of the same line
    // from a line that has not changed.
    qint64 fileSize = 0;
    bool fromStderr = false;
    bool operator==(const LatestLine &) const = default;
};

// nullopt when nothing was written yet, or when the last line is longer than what is read (its
// start unknown, a number in it could be cut: better no progress than a wrong one).
std::optional<LatestLine> readLatestLine(const QString &outputDirectory);

} // namespace jobmonitor
