#pragma once

#include "ansitext.h"
#include "outputbuffer.h"
#include "pagedoutput.h"

#include <QAbstractListModel>
#include <QMap>
#include <QPointer>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

// The kept tail of one job's output, one row per line. The buffer signals every chunk; the
// model folds those into at most one update per frame (16 ms), so a job flooding output
// costs the window a bounded amount of work.
//
// Rows shift whenever lines drop off the top of the tail, so anything the view remembers
// about a line (selection, search match, scroll position) it keeps as the line's number and
// maps to a row with rowOfLine().
//
// With the job's saved output paged in (setPages(), when some attempt saved its output), the
// rows are the whole output: the lines before the tail come first, a page at a time from the
// attempt files (a row whose page is being read shows as not loaded until pageLoaded), and
// lines leaving the tail stay where they are. Rows never shift then.
//
// Search covers the kept tail (searchCoversWholeOutput is false): the matches are kept up to
// date as lines arrive and drop, in row order. A search over the job's whole stored output
// would answer the same properties (matchCount, currentMatch, currentMatchLine) and the same
// calls, with lines outside the tail reported by rowOfLine() as -1.
class OutputModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("A job's output comes from JobDetails.output.")
    Q_PROPERTY(qint64 droppedLines READ droppedLines NOTIFY statsChanged)
    Q_PROPERTY(qint64 totalLines READ totalLines NOTIFY statsChanged)
    // Colours of escape sequences are picked for a dark background (true) or a light one.
    Q_PROPERTY(bool darkBackground READ darkBackground WRITE setDarkBackground NOTIFY
                   darkBackgroundChanged)
    Q_PROPERTY(QString searchText READ searchText NOTIFY searchChanged)
    Q_PROPERTY(int matchCount READ matchCount NOTIFY searchChanged)
    // 1-based position of the current match among all matches; 0 when there is none (also
    // when its line has dropped out of the tail).
    Q_PROPERTY(int currentMatch READ currentMatch NOTIFY searchChanged)
    // Number of the line of the current match; 0 when there is none.
    Q_PROPERTY(qint64 currentMatchLine READ currentMatchLine NOTIFY searchChanged)
    Q_PROPERTY(bool searchCoversWholeOutput READ searchCoversWholeOutput CONSTANT)
    // The rows reach back to line 1 through the saved output (else only the kept tail).
    Q_PROPERTY(bool paged READ isPaged NOTIFY statsChanged)
public:
    enum Role {
        TextRole = Qt::UserRole + 1, // string: the line for display, escape sequences removed
        StderrRole,                  // bool: the line came from stderr
        NumberRole,                  // int: 1-based line number over the job's whole output
        CompleteRole,                // bool: false while the line has not seen its newline
        MarkupRole,        // string: the line with its colours as markup; empty when it has none
        RichMarkupRole,    // bool: MarkupRole is RichText (it has backgrounds), else StyledText
        MatchRole,         // bool: the line contains the search text
        AttemptHeaderRole, // string: "Attempt 2 · 14:03:22 · trace 3f…" on the first line of
                           // each attempt when the job has had more than one; else empty
        TimeRole,          // string: when the line began to arrive, "14:03:22.415"; empty when
                           // not known
        LoadedRole,        // bool: false while the page of saved output holding it is read
        TruncatedRole,     // double: bytes of the line not shown (over the per-line limit)
    };
    Q_ENUM(Role)

    explicit OutputModel(QObject *parent = nullptr);

    void setBuffer(OutputBuffer *buffer);
    // The job's whole saved output, for the lines before the tail; null for the tail only.
    void setPages(PagedOutput *pages);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    qint64 droppedLines() const;
    qint64 totalLines() const;
    bool darkBackground() const { return m_darkBackground; }
    void setDarkBackground(bool dark);

    QString searchText() const { return m_searchText; }
    int matchCount() const { return int(m_matches.size()); }
    int currentMatch() const;
    qint64 currentMatchLine() const { return m_currentMatchLine; }
    bool searchCoversWholeOutput() const { return false; }
    bool isPaged() const { return m_paged; }

    // Searches for text (ignoring case); the current match becomes the first at or after the
    // line numbered nearLine (the top of the view), wrapping around. Empty text ends the search.
    Q_INVOKABLE void search(const QString &text, qint64 nearLine);
    // The match after (before) the current one, wrapping around; false when there is none.
    Q_INVOKABLE bool nextMatch();
    Q_INVOKABLE bool previousMatch();

    // Row showing the line with this number, or -1 when the tail does not keep it. Paged,
    // a line before the tail whose page is not in memory gets the row the index expects it
    // in (exact but where both channels had a line open at once); revealLine() makes sure.
    Q_INVOKABLE int rowOfLine(qint64 number) const;
    // Whether rowOfLine(number) is exact: the line is in the tail or in a page in memory.
    Q_INVOKABLE bool isLineLoaded(qint64 number) const;
    // Reads the page holding the line (paged); lineRevealed(number) once rowOfLine() is exact.
    Q_INVOKABLE void revealLine(qint64 number);
    // The lines from the one numbered first to the one numbered last (either order) as they
    // are shown, one per line. A line no longer kept (paged: not in memory) is left out.
    Q_INVOKABLE QString linesText(qint64 first, qint64 last) const;
    // Number of the first line that reports an error: the first on stderr or else the first
    // saying "error" or "fatal"; 0 when there is none.
    Q_INVOKABLE qint64 firstErrorLine() const;

Q_SIGNALS:
    void statsChanged();
    void darkBackgroundChanged();
    void searchChanged();
    void lineRevealed(qint64 number);

private:
    struct Row {
        OutputLine line; // as the buffer keeps it, escape sequences included
        QString text;    // as shown
        AnsiStyle startStyle;
        bool styled = false;
        bool match = false;
    };
    void scheduleSync();
    void sync();
    void syncTail(const QList<Row> &tail, qint64 completed);
    void syncPaged(const QList<Row> &tail);
    void reset();
    // Headers for the first line of each attempt, from the buffer's sections.
    void updateHeaders();
    // Rows for lines, carrying each channel's style along complete lines.
    QList<Row> makeRows(const QList<OutputLine> &lines);
    bool matches(const Row &row) const;
    // Row of m_rows showing the line, or -1.
    int tailRowOfLine(qint64 number) const;
    QVariant pagedData(int row, int role) const;
    void pageLoaded(qint64 firstRow, qint64 rows);
    void setCurrentMatch(qint64 line);
    int matchIndex(qint64 line) const; // into m_matches, or -1

    QPointer<OutputBuffer> m_buffer;
    QPointer<PagedOutput> m_pages;
    bool m_paged = false; // as of the last reset: the pages are available
    int m_earlier = 0;    // paged rows before m_rows
    QList<Row> m_rows;
    qint64 m_completed = 0;      // the buffer's completedLines() as of the rows shown
    int m_openRows = 0;          // rows at the end that show open (partial) lines
    AnsiStyle m_channelStyle[2]; // after the last complete line shown, per channel
    QTimer m_batchTimer;
    bool m_darkBackground = false;
    QMap<qint64, QString> m_headers; // first line of an attempt -> its header
    qsizetype m_sectionsSeen = -1;   // the buffer's sections the headers were made from

    QString m_searchText;
    QList<qint64> m_matches; // line numbers of the matching rows, in row order
    qint64 m_currentMatchLine = 0;
};

} // namespace jobmonitor
