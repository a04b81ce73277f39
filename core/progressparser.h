#pragma once

#include <QRegularExpression>
#include <QString>
#include <QStringView>

#include <optional>

namespace jobmonitor {

// How far a job has got.
struct Progress {
    enum class Kind {
        Percent,  // read from a percentage ("45%", curl's meter, rsync)
        Count,    // read from a count ("12/400", "12 of 400", "2.1/4.2 MB")
        Custom,   // read by the job's own pattern
        Estimate, // not read from output: elapsed time against the expected duration
    };
    Kind kind = Kind::Percent;
    double fraction = 0; // 0..1
    // Set when the output shows an exact whole-number count ("45/100"); a count in scaled
    // units ("1.91M/47.7M") gives only the fraction.
    std::optional<qint64> done;
    std::optional<qint64> total;

    bool operator==(const Progress &) const = default;
};

// Reads a job's progress from its latest output line. One parser per job: it is stateful.
//
// Input: the line as it is now, after the last '\r' (a redrawn line is fed again after each
// redraw), without its '\n'. ANSI escape sequences (CSI, OSC, and the rest) are ignored, a
// cursor-to-column-1 sequence (ESC[G, ESC[1G) restarts the line like '\r', a backspace erases
// the character before it, other control characters are dropped. Of a line longer than 768
// characters only the first 256 and the last 512 are read (a number cut there is ignored, and
// so are the forms that need the whole line: rsync, curl, ctest), so the cost is bounded
// whatever the line. Invalid UTF-8, shown as U+FFFD, counts as a letter: it can only make a
// number look like prose, never like progress.
//
// A line is Open while more of it may arrive (the job's last line, no '\n' yet, or a chunk
// boundary fell inside it) and Ended once a '\n' ended it or a '\r' was followed by a redraw. In
// an Open line a count touching the end of the text ("Processing 12/4" of "12/400") may be cut
// short, so it is ignored; a percentage ends with '%' and cannot be cut that way. A tool that
// redraws "\rProcessing 12/400" leaves its line open for good: a caller may feed an open line
// again as Ended once it has stayed the same for a moment (a write cut by a chunk boundary goes
// on at once).
//
// Built-in forms (the job gives no pattern). Strong forms are taken on first sight:
// - CMake's and pytest's "[ 45%]", any percentage in square brackets;
// - a percentage or count next to a bar: tqdm "45%|████▌     | 45/100 [...]", wget
//   "45%[=====>    ]", pip "━━━━━━━━╸━━━━ 2.1/4.2 MB", keras "12/400 [====>....]"; a bar is
//   a run of 3+ block or box-drawing characters, or "[...]" / "|...|" holding 5+ characters
//   that are all bar characters or spaces (block, box drawing, # = > - . * ~);
// - a percentage and a count on one line that agree within 1.5 points: git
//   "Receiving objects:  45% (1351/3002)", tqdm;
// - ninja's "[12/400]" at the start of the line; ctest's " 3/13 Test  #3: ...";
// - rsync --info=progress2 "  1,234,567  45%  1.23MB/s    0:00:05 (xfr#1, to-chk=9/91)" (its
//   "to-chk" counts files left to check, never the progress);
// - a row of curl's meter, "% Total % Received % Xferd ...": its first column, taken only when
//   it equals the "% Received" (or, uploading, the "% Xferd") column and the total is not 0. A
//   download of unknown size shows 100 in the first column from the start: no progress.
// Weak forms need a second line of the same shape (the same word before the number) whose value
// is higher before they show, so a number that happens to appear once, or a log line repeated,
// never makes a bar:
// - a percentage anywhere else: "Reading package lists... 45%", "     0K .......... 2%  506K",
//   "##                  3.3%" (curl -#: a run of ASCII bar characters is a weak bar);
// - a count "12/400" or "12 of 400" at the start of the line, after a label ending in ':', in
//   parentheses or brackets, or after a progress word ("Step 3/10", "Processing 12/400": step,
//   stage, phase, part, file, item, task, job, test, epoch, batch, chunk, page, round, pass,
//   iteration, package, object, image, frame, target, module, shard, block, segment, record,
//   sample, row, their plurals, and any word of 6+ letters ending in "ing").
// Never progress:
// - a number glued to its neighbours: a percentage after a letter, digit or one of . , / \ - +
//   _ : =, a count after anything but a space, '[', '(' or '|', either before a letter, digit,
//   '_' or '/' (or '.' ',' ':' and then one): dates 2026/12/01, versions 1.2.3, IP addresses
//   and CIDRs 10.0.0.1/24, paths src/12/400.c, HTTP/1.1, times 10:12/400, x=12/400, "-5%";
// - a percentage over 100, a count whose done exceeds its total or whose total is 0;
// - a percentage followed by a word or path other than "done", "complete", "completed", "eta"
//   ("50% of the tests", "20% /home", "0% packet loss"), or right after one of at, by, to,
//   from, than, of, over, under, above, below, about, around, nearly, almost, approximately,
//   within, with, without, for ("grew by 5%", "load at 50%");
// - a count followed by a word ("1/2 cup", "12/400 files" too: it cannot be told apart), or
//   after any other word ("load 3/4", "attempt 2/3");
// - a line whose strongest numbers disagree ("overall 45% done, this file 80%"): ambiguous;
//   a line with more than 16 numbers of these forms: a table, not a progress line;
// - output without a total: dd status=progress ("1234567 bytes (1.2 MB) copied, 1 s"), tqdm on
//   an iterator of unknown length ("40it [00:02, 19.7it/s]"), npm's spinner, bars without
//   numbers (the done and the remaining part of pip's bar differ only in colour). When a job
//   shows no progress, its expected duration from history is what drives the bar (see
//   estimateFromExpectedDuration in progressestimator.h).
//
// A job's own pattern (setPattern, `--progress REGEX`) replaces the built-in forms: a regular
// expression (PCRE2, QRegularExpression) with a named group `percent` (0-100, decimals with '.'
// or ','), or `done` and `total` (whole numbers, ',' '_' as thousands separators; decimals give
// the fraction only). Its first match on the line (escapes removed, a long line's start and end
// as above) counts; a match whose group is not a valid number in range gives nothing, and so
// does, in an Open line, a group that ends the text.
//
// The rules across lines (the bar never jumps back on an unrelated number):
// - The first progress (strong, or weak and confirmed) locks the parser on its shape: its form
//   (bracketed percent, bar percent, percent with count, ninja count, bar count, rsync, curl
//   meter, ctest, weak percent, weak count, custom pattern) and, for weak forms, the word
//   before the number.
// - A line of the locked shape moves the progress forward or keeps it. A lower value is taken
//   only as the start of a new phase: when its count's total differs from the current one, or
//   when it is at most 5% (a tool restarting from ~0: the next file, epoch, git phase, a second
//   build). Any other lower value is ignored.
// - A line of another shape is ignored, unless the locked phase has finished (100%), or that
//   other shape was seen on 3 progress lines in a row (non-progress lines between them do not
//   count) with no line of the locked shape between them and values never going down (weak
//   forms: always going up): then it takes over, as the job has clearly moved on to another
//   tool. Taking over, too, never moves the bar back unless to at most 5%.
class ProgressParser {
public:
    enum class LineEnd { Open, Ended };

    ProgressParser() = default;
    // An invalid pattern leaves the parser reading nothing, with patternError() saying why;
    // check it first with validatePattern().
    explicit ProgressParser(const QString &pattern);

    // A message that says what is wrong with a job's progress pattern, or an empty string
    // when it is fine (an empty pattern is fine: the built-in forms are used).
    static QString validatePattern(const QString &pattern);

    // Replaces the pattern (empty: the built-in forms) and forgets all progress. Returns false
    // when it is invalid (see patternError()).
    bool setPattern(const QString &pattern);
    QString pattern() const { return m_patternText; }
    QString patternError() const { return m_patternError; }

    // Reads one line. Returns the progress when this line was taken as progress (even if the
    // value did not change), nullopt when it shows none or was ignored by the rules above.
    std::optional<Progress> feed(QStringView line, LineEnd end);
    // The progress so far: what the bar shows.
    std::optional<Progress> current() const { return m_current; }
    // Forgets all progress (a new attempt of the job); keeps the pattern.
    void reset();

    // The form of progress one line shows.
    enum class Form {
        BracketPercent,   // "[ 45%]"
        BarPercent,       // "45%|████▌     |", "45%[=====>    ]"
        PercentWithCount, // "45% (1351/3002)", tqdm
        NinjaCount,       // "[12/400] " at the start of the line
        BarCount,         // "━━━━╸━━━━ 2.1/4.2 MB", "12/400 [====>....]"
        Rsync,            // rsync --info=progress2
        CurlMeter,        // a row of curl's meter
        Ctest,            // " 3/13 Test  #3: "
        WeakPercent,
        WeakCount,
        Custom, // the job's own pattern
    };
    // What one line shows on its own.
    struct Reading {
        Progress progress;
        Form form = Form::WeakPercent;
        QString key;          // weak forms: the word before the number
        double totalSize = 0; // a count's total in its base unit; 0 for a percentage
        bool strong = false;
    };
    // Stateless, before the rules across lines: the built-in forms, or the pattern.
    std::optional<Reading> read(QStringView line, LineEnd end) const;

private:
    struct Shape {
        Form form = Form::WeakPercent;
        QString key;
        bool operator==(const Shape &) const = default;
    };
    struct Streak {
        Shape shape;
        int lines = 0;
        double fraction = 0;
    };

    std::optional<Reading> readPattern(QStringView text, LineEnd end) const;
    std::optional<Progress> advance(const Reading &reading);
    std::optional<Progress> takeOver(const Reading &reading);
    std::optional<Progress> lock(const Reading &reading);

    QString m_patternText;
    QString m_patternError;
    std::optional<QRegularExpression> m_pattern; // none: the built-in forms

    std::optional<Shape> m_shape; // locked on by the first progress; none again after 100%
    std::optional<Progress> m_current;
    double m_currentTotal = 0;
    std::optional<Reading> m_pending; // a weak reading waiting for a second, higher one
    Streak m_streak;                  // readings of another shape than the locked one
};

} // namespace jobmonitor
