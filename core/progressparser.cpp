#include "progressparser.h"

#include <QList>
#include <QRegularExpressionMatch>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace jobmonitor {

namespace {

using Form = ProgressParser::Form;
using LineEnd = ProgressParser::LineEnd;
using Reading = ProgressParser::Reading;

// A long line is read at its start (ninja's "[12/400]", CMake's "[ 45%]" before a long
// command) and its end (where bars are drawn), never in full: the cost is bounded.
constexpr qsizetype headWindow = 256;
constexpr qsizetype tailWindow = 512;
// A line with more numbers than this is a table or a dump, not a progress line.
constexpr int maxTokens = 16;
// A percentage and a count on one line agree within this (tools round their percentage).
constexpr double agreement = 0.015;
// A lower value of the locked shape this small is a tool starting over, not a stray number.
constexpr double restartFraction = 0.05;
// Lines of another shape in a row that show the job has moved on to another tool.
constexpr int takeoverLines = 3;
// A bar drawn with block or box-drawing characters, or with ASCII characters, or enclosed.
constexpr qsizetype minBarRun = 3;
constexpr qsizetype minEnclosedBar = 5;

// ---- The line as a terminal shows it

struct CleanLine {
    QString text;
    // The middle of a long line was skipped; U+FFFD stands for it, so no number reaches across.
    bool cut = false;
};

bool isInRange(QChar c, char16_t from, char16_t to) {
    return c.unicode() >= from && c.unicode() <= to;
}

// Skips the escape sequence at `at` (ESC, or a C1 CSI/OSC); returns where the text resumes.
// Sets restart for a cursor move to column 1, which redraws the line like '\r'.
qsizetype skipEscape(QStringView line, qsizetype at, bool *restart) {
    const qsizetype n = line.size();
    qsizetype i = at + 1;
    char16_t kind = line[at].unicode();
    if (kind == 0x1b) {
        if (i >= n)
            return n;
        kind = line[i++].unicode();
    } else {
        kind = kind == 0x9b ? u'[' : u']';
    }
    if (kind == u'[') {
        const qsizetype parameters = i;
        while (i < n && isInRange(line[i], 0x30, 0x3f))
            ++i;
        const QStringView parameter = line.sliced(parameters, i - parameters);
        while (i < n && isInRange(line[i], 0x20, 0x2f))
            ++i;
        if (i >= n)
            return n;
        if (!isInRange(line[i], 0x40, 0x7e))
            return i; // malformed: the text resumes at the odd character
        if (line[i] == u'G' && (parameter.isEmpty() || parameter == u"0" || parameter == u"1"))
            *restart = true;
        return i + 1;
    }
    if (kind == u']' || kind == u'P' || kind == u'X' || kind == u'^' || kind == u'_') {
        // A string, up to BEL or ST (ESC \ or U+009C).
        for (; i < n; ++i) {
            if (line[i] == u'\a' || line[i].unicode() == 0x9c)
                return i + 1;
            if (line[i].unicode() == 0x1b && i + 1 < n && line[i + 1] == u'\\')
                return i + 2;
        }
        return n;
    }
    if (isInRange(QChar(kind), 0x20, 0x2f)) {
        // Intermediates, then one final character ("ESC ( B").
        while (i < n && isInRange(line[i], 0x20, 0x2f))
            ++i;
        return std::min(i + 1, n);
    }
    return i;
}

bool isPlain(char16_t u) {
    return u >= 0x20 && u != 0x7f && !(u >= 0x80 && u < 0xa0);
}

// Appends the text of `part` as a terminal shows it.
void appendCleaned(QStringView part, CleanLine &line) {
    qsizetype i = 0;
    while (i < part.size()) {
        const qsizetype plain = i;
        while (i < part.size() && isPlain(part[i].unicode()))
            ++i;
        line.text.append(part.sliced(plain, i - plain));
        if (i == part.size())
            break;
        const char16_t u = part[i].unicode();
        bool restart = u == u'\r';
        if (u == 0x1b || u == 0x9b || u == 0x9d) {
            i = skipEscape(part, i, &restart);
        } else {
            ++i;
            if (u == u'\b' && !line.text.isEmpty())
                line.text.chop(line.text.back().isLowSurrogate() ? 2 : 1);
            else if (u == u'\t')
                line.text.append(u' ');
        }
        if (restart) {
            line.text.clear();
            line.cut = false;
        }
    }
}

CleanLine cleanLine(QStringView line) {
    // '\r's at the very end only wait for the redraw: what they end is still on screen.
    while (!line.isEmpty() && line.back() == u'\r')
        line.chop(1);
    CleanLine result;
    if (line.size() <= headWindow + tailWindow) {
        appendCleaned(line, result);
        return result;
    }
    QStringView head = line.first(headWindow);
    if (head.back().isHighSurrogate())
        head.chop(1);
    QStringView tail = line.last(tailWindow);
    if (tail.front().isLowSurrogate())
        tail = tail.sliced(1);
    appendCleaned(head, result);
    result.text.append(QChar::ReplacementCharacter);
    result.cut = true;
    appendCleaned(tail, result);
    return result;
}

// ---- Characters

bool isDigit(QChar c) {
    return c >= u'0' && c <= u'9';
}

// Invalid UTF-8 (U+FFFD) may have been a letter in another encoding.
bool isWordChar(QChar c) {
    return c.isLetter() || c == QChar::ReplacementCharacter;
}

bool isStrongBarGlyph(QChar c) {
    return isInRange(c, 0x2500, 0x259f); // box drawing and block elements
}

bool isAsciiBarGlyph(QChar c) {
    return c == u'#' || c == u'=' || c == u'>' || c == u'-' || c == u'.' || c == u'*' || c == u'~';
}

bool isBarChar(QChar c) {
    return c == u' ' || isStrongBarGlyph(c) || isAsciiBarGlyph(c);
}

enum class Bar { None, Weak, Strong };

// The bar whose last character is at end - 1.
Bar barEndingAt(const QString &s, qsizetype end) {
    if (end <= 0)
        return Bar::None;
    const QChar last = s[end - 1];
    if (last == u']' || last == u'|') {
        const QChar open = last == u']' ? QChar(u'[') : QChar(u'|');
        qsizetype i = end - 2;
        while (i >= 0 && isBarChar(s[i]))
            --i;
        return i >= 0 && s[i] == open && end - 2 - i >= minEnclosedBar ? Bar::Strong : Bar::None;
    }
    const auto run = [&](auto isGlyph) {
        qsizetype i = end;
        while (i > 0 && isGlyph(s[i - 1]))
            --i;
        return end - i;
    };
    if (isStrongBarGlyph(last))
        return run(isStrongBarGlyph) >= minBarRun ? Bar::Strong : Bar::None;
    if (isAsciiBarGlyph(last))
        return run(isAsciiBarGlyph) >= minBarRun ? Bar::Weak : Bar::None;
    return Bar::None;
}

// The bar whose first character is at begin.
Bar barStartingAt(const QString &s, qsizetype begin) {
    const qsizetype n = s.size();
    if (begin >= n)
        return Bar::None;
    const QChar first = s[begin];
    if (first == u'[' || first == u'|') {
        const QChar close = first == u'[' ? QChar(u']') : QChar(u'|');
        qsizetype i = begin + 1;
        while (i < n && isBarChar(s[i]) && s[i] != close)
            ++i;
        return i < n && s[i] == close && i - begin - 1 >= minEnclosedBar ? Bar::Strong : Bar::None;
    }
    const auto run = [&](auto isGlyph) {
        qsizetype i = begin;
        while (i < n && isGlyph(s[i]))
            ++i;
        return i - begin;
    };
    if (isStrongBarGlyph(first))
        return run(isStrongBarGlyph) >= minBarRun ? Bar::Strong : Bar::None;
    if (isAsciiBarGlyph(first))
        return run(isAsciiBarGlyph) >= minBarRun ? Bar::Weak : Bar::None;
    return Bar::None;
}

// Longer runs of letters are no word of the lists below; they are not lowered either.
constexpr qsizetype longestWord = 24;

QString lowerWord(QStringView word) {
    return word.size() > longestWord ? QStringLiteral("\u2026") : word.toString().toLower();
}

bool isOneOf(QStringView word, std::initializer_list<QStringView> words) {
    return std::find(words.begin(), words.end(), word) != words.end();
}

// Words after a percentage that still describe progress.
bool isProgressSuffix(QStringView lowerWord) {
    return isOneOf(lowerWord, {u"done", u"complete", u"completed", u"eta"});
}

// Words before a percentage that make it a comparison in prose.
bool isPreposition(QStringView lowerWord) {
    return isOneOf(lowerWord, {u"at", u"by", u"to", u"from", u"than", u"of", u"over", u"under",
                               u"above", u"below", u"about", u"around", u"nearly", u"almost",
                               u"approximately", u"within", u"with", u"without", u"for"});
}

// Words before a count that make it a progress count ("Step 3/10", "Processing 12/400").
bool isProgressNoun(QStringView lowerWord) {
    if (lowerWord.size() >= 6 && lowerWord.endsWith(u"ing"))
        return true;
    if (lowerWord.size() > 1 && lowerWord.endsWith(u's'))
        lowerWord.chop(1);
    return isOneOf(lowerWord,
                   {u"step",    u"stage",  u"phase",  u"part",      u"file",    u"item",
                    u"task",    u"job",    u"test",   u"epoch",     u"batch",   u"chunk",
                    u"page",    u"round",  u"pass",   u"iteration", u"package", u"object",
                    u"image",   u"frame",  u"target", u"module",    u"shard",   u"block",
                    u"segment", u"record", u"sample", u"row"});
}

// ---- Numbers

// A plain decimal number "45", "45.2" (no sign, no exponent); nullopt for anything else.
std::optional<double> parseNumber(QStringView text, int maxIntegerDigits) {
    const qsizetype dot = text.indexOf(u'.');
    const QStringView integer = dot < 0 ? text : text.first(dot);
    const QStringView fraction = dot < 0 ? QStringView() : text.sliced(dot + 1);
    if (integer.isEmpty() || integer.size() > maxIntegerDigits || (dot >= 0 && fraction.isEmpty()))
        return std::nullopt;
    if (!std::all_of(integer.begin(), integer.end(), isDigit) ||
        !std::all_of(fraction.begin(), fraction.end(), isDigit))
        return std::nullopt;
    bool ok = false;
    const double value = text.toDouble(&ok);
    return ok ? std::optional<double>(value) : std::nullopt;
}

// The factor of a size unit as tools print it, or 0 for none: k and K are 1000, Ki 1024.
double unitFactor(QStringView unit) {
    if (unit == u"B")
        return 1;
    if (unit.endsWith(u'B'))
        unit.chop(1);
    const bool binary = unit.endsWith(u'i');
    if (binary)
        unit.chop(1);
    if (unit.size() != 1)
        return 0;
    static constexpr char16_t prefixes[] = u"kMGTPE";
    const QChar prefix = unit[0] == u'K' ? QChar(u'k') : unit[0];
    double factor = 1;
    for (const char16_t *p = prefixes; *p; ++p) {
        factor *= binary ? 1024 : 1000;
        if (prefix == QChar(*p))
            return factor;
    }
    return 0;
}

// ---- Tokens: a number that may be the line's progress

struct Token {
    bool percent = false;
    qsizetype begin = 0;
    qsizetype end = 0;
    double fraction = 0;
    std::optional<qint64> done; // exact counts
    std::optional<qint64> total;
    double totalSize = 0;
};

bool gluedOnLeft(const CleanLine &line, qsizetype begin) {
    if (begin == 0)
        return false;
    const QChar c = line.text[begin - 1];
    return isWordChar(c) || isDigit(c) || QStringView(u".,/\\-+_:=").contains(c);
}

// A count's left neighbour must separate it: a space, a bracket, a bar's edge.
bool separatedOnLeft(const CleanLine &line, qsizetype begin) {
    if (begin == 0)
        return true;
    const QChar c = line.text[begin - 1];
    return c == u' ' || c == u'[' || c == u'(' || c == u'|';
}

bool separatedOnRight(const QString &s, qsizetype end) {
    if (end >= s.size())
        return true;
    const QChar c = s[end];
    if (isWordChar(c) || isDigit(c) || c == u'/' || c == u'_' || c == u'%')
        return false;
    // "400.c", "3/4:5", "1/2,5" go on; "12/400." and "12/400:" end.
    if ((c == u'.' || c == u',' || c == u':') && end + 1 < s.size())
        return !(isDigit(s[end + 1]) || isWordChar(s[end + 1]));
    return true;
}

std::optional<Token> percentAt(const CleanLine &line, qsizetype at) {
    const QString &s = line.text;
    qsizetype numberEnd = at;
    if (numberEnd > 0 && s[numberEnd - 1] == u' ')
        --numberEnd;
    qsizetype begin = numberEnd;
    while (begin > 0 && (isDigit(s[begin - 1]) || s[begin - 1] == u'.'))
        --begin;
    if (begin == numberEnd || gluedOnLeft(line, begin))
        return std::nullopt;
    if (at + 1 < s.size() && (isWordChar(s[at + 1]) || isDigit(s[at + 1]) || s[at + 1] == u'_'))
        return std::nullopt;
    const std::optional<double> value =
        parseNumber(QStringView(s).sliced(begin, numberEnd - begin), 3);
    if (!value || *value > 100)
        return std::nullopt;
    Token token;
    token.percent = true;
    token.begin = begin;
    token.end = at + 1;
    token.fraction = *value / 100;
    return token;
}

struct Operand {
    qsizetype begin = 0;
    qsizetype end = 0;
    double value = 0;
    bool whole = false;
    double unit = 0; // 0: none
};

// The number and unit ending right before `end` ("12", "1.91M", "12.3MB").
std::optional<Operand> operandBefore(const QString &s, qsizetype end) {
    Operand operand;
    operand.end = end;
    qsizetype unitBegin = end;
    while (unitBegin > 0 && end - unitBegin < 3 && s[unitBegin - 1].isLetter())
        --unitBegin;
    if (unitBegin < end) {
        operand.unit = unitFactor(QStringView(s).sliced(unitBegin, end - unitBegin));
        if (operand.unit == 0)
            return std::nullopt;
    }
    qsizetype begin = unitBegin;
    while (begin > 0 && (isDigit(s[begin - 1]) || s[begin - 1] == u'.'))
        --begin;
    const QStringView number = QStringView(s).sliced(begin, unitBegin - begin);
    const std::optional<double> value = parseNumber(number, 15);
    if (!value)
        return std::nullopt;
    operand.begin = begin;
    operand.value = *value;
    operand.whole = !number.contains(u'.');
    return operand;
}

// The number and unit starting at `begin` ("400", "47.7M", "4.2 MB").
std::optional<Operand> operandAfter(const QString &s, qsizetype begin) {
    const qsizetype n = s.size();
    Operand operand;
    operand.begin = begin;
    qsizetype i = begin;
    while (i < n && (isDigit(s[i]) || s[i] == u'.'))
        ++i;
    const QStringView number = QStringView(s).sliced(begin, i - begin);
    const std::optional<double> value = parseNumber(number, 15);
    if (!value)
        return std::nullopt;
    operand.value = *value;
    operand.whole = !number.contains(u'.');
    operand.end = i;
    // A glued unit ("47.7M"), or a byte unit after one space ("4.2 MB").
    const qsizetype unitBegin = i < n && s[i] == u' ' ? i + 1 : i;
    qsizetype unitEnd = unitBegin;
    while (unitEnd < n && unitEnd - unitBegin < 3 && s[unitEnd].isLetter())
        ++unitEnd;
    if (unitEnd > unitBegin && (unitEnd == n || !s[unitEnd].isLetter())) {
        const QStringView unit = QStringView(s).sliced(unitBegin, unitEnd - unitBegin);
        if ((unitBegin == i || unit.endsWith(u'B')) && unitFactor(unit) > 0) {
            operand.unit = unitFactor(unit);
            operand.end = unitEnd;
        }
    }
    return operand;
}

std::optional<Token> countFrom(const Operand &done, const Operand &total) {
    Token token;
    token.begin = done.begin;
    token.end = total.end;
    if (done.unit == 0 && total.unit == 0) {
        // Without a unit only whole numbers count: "1.2/3.4" is more likely anything else.
        if (!done.whole || !total.whole || total.value <= 0 || done.value > total.value)
            return std::nullopt;
        token.done = qint64(done.value);
        token.total = qint64(total.value);
        token.fraction = done.value / total.value;
        token.totalSize = total.value;
        return token;
    }
    if (total.unit == 0) // "2MB/4": a size against a bare number
        return std::nullopt;
    token.totalSize = total.value * total.unit;
    const double doneSize = done.value * (done.unit != 0 ? done.unit : total.unit);
    if (token.totalSize <= 0 || doneSize > token.totalSize)
        return std::nullopt;
    token.fraction = doneSize / token.totalSize;
    return token;
}

std::optional<Token> slashCountAt(const CleanLine &line, qsizetype at) {
    const QString &s = line.text;
    const std::optional<Operand> done = operandBefore(s, at);
    const std::optional<Operand> total = operandAfter(s, at + 1);
    if (!done || !total || !separatedOnLeft(line, done->begin) || !separatedOnRight(s, total->end))
        return std::nullopt;
    return countFrom(*done, *total);
}

// "12 of 400": whole numbers only.
std::optional<Token> ofCountAt(const CleanLine &line, qsizetype at) {
    const QString &s = line.text; // s[at] is the space before "of"
    qsizetype begin = at;
    while (begin > 0 && isDigit(s[begin - 1]))
        --begin;
    qsizetype end = at + 4;
    while (end < s.size() && isDigit(s[end]))
        ++end;
    if (begin == at || end == at + 4 || !separatedOnLeft(line, begin) || !separatedOnRight(s, end))
        return std::nullopt;
    Operand done{begin, at, QStringView(s).sliced(begin, at - begin).toDouble(), true, 0};
    Operand total{at + 4, end, QStringView(s).sliced(at + 4, end - at - 4).toDouble(), true, 0};
    if (at - begin > 15 || end - at - 4 > 15)
        return std::nullopt;
    return countFrom(done, total);
}

// ---- Context: what surrounds a token

struct Context {
    bool lineStart = false; // only spaces before it
    bool squareBrackets = false;
    bool parentheses = false;
    bool colonBefore = false; // a label: "Progress: 12/400"
    Bar barBefore = Bar::None;
    Bar barAfter = Bar::None;
    QString wordBefore; // lower case, when a word ends right before (spaces between)
    QString wordAfter;  // lower case, when a word (or a path: "/") starts right after
};

Context contextOf(const CleanLine &line, const Token &token) {
    const QString &s = line.text;
    const qsizetype n = s.size();
    qsizetype before = token.begin;
    while (before > 0 && s[before - 1] == u' ')
        --before;
    qsizetype after = token.end;
    while (after < n && s[after] == u' ')
        ++after;

    Context context;
    context.lineStart = before == 0;
    const QChar open = before > 0 ? s[before - 1] : QChar();
    const QChar close = after < n ? s[after] : QChar();
    context.squareBrackets = open == u'[' && close == u']';
    context.parentheses = open == u'(' && close == u')';
    context.colonBefore = open == u':';
    context.barBefore = barEndingAt(s, before);
    context.barAfter = barStartingAt(s, after);
    qsizetype wordBegin = before;
    while (wordBegin > 0 && before - wordBegin <= longestWord && isWordChar(s[wordBegin - 1]))
        --wordBegin;
    context.wordBefore = lowerWord(QStringView(s).sliced(wordBegin, before - wordBegin));
    if (after < n && s[after] == u'/') {
        context.wordAfter = QStringLiteral("/");
    } else {
        qsizetype wordEnd = after;
        while (wordEnd < n && wordEnd - after <= longestWord && isWordChar(s[wordEnd]))
            ++wordEnd;
        context.wordAfter = lowerWord(QStringView(s).sliced(after, wordEnd - after));
    }
    return context;
}

bool isStrong(Bar bar) {
    return bar == Bar::Strong;
}

struct Candidate {
    Token token;
    Form form = Form::WeakPercent;
    bool strong = false;
};

std::optional<Candidate> classifyPercent(const Token &token, const Context &context) {
    if (!context.wordAfter.isEmpty() && !isProgressSuffix(context.wordAfter))
        return std::nullopt;
    if (isPreposition(context.wordBefore))
        return std::nullopt;
    if (context.squareBrackets)
        return Candidate{token, Form::BracketPercent, true};
    if (isStrong(context.barBefore) || isStrong(context.barAfter))
        return Candidate{token, Form::BarPercent, true};
    return Candidate{token, Form::WeakPercent, false};
}

std::optional<Candidate> classifyCount(const CleanLine &line, const Token &token,
                                       const Context &context) {
    if (!context.wordAfter.isEmpty())
        return std::nullopt;
    if (context.squareBrackets) {
        qsizetype open = token.begin;
        while (line.text[open] != u'[')
            --open;
        const bool atStart = QStringView(line.text).first(open).trimmed().isEmpty();
        if (atStart && token.total)
            return Candidate{token, Form::NinjaCount, true};
    }
    if (isStrong(context.barBefore) || isStrong(context.barAfter))
        return Candidate{token, Form::BarCount, true};
    if (context.lineStart || context.colonBefore || context.squareBrackets || context.parentheses ||
        context.barBefore == Bar::Weak || context.barAfter == Bar::Weak ||
        isProgressNoun(context.wordBefore))
        return Candidate{token, Form::WeakCount, false};
    return std::nullopt;
}

// A weak form's label: the last word before the number ("lists" in "Reading package lists...
// 45%", "c" in "compiled foo.c (12/400)").
QString labelBefore(const QString &s, qsizetype end) {
    qsizetype wordEnd = end;
    while (wordEnd > 0 && !s[wordEnd - 1].isLetter())
        --wordEnd;
    qsizetype wordBegin = wordEnd;
    while (wordBegin > 0 && s[wordBegin - 1].isLetter())
        --wordBegin;
    return s.sliced(wordBegin, wordEnd - wordBegin);
}

Reading readingOf(const CleanLine &line, const Candidate &chosen, const Token *agreeingCount) {
    Reading reading;
    reading.strong = chosen.strong;
    reading.form = chosen.form;
    const Token &source = agreeingCount ? *agreeingCount : chosen.token;
    if (agreeingCount) {
        reading.form = Form::PercentWithCount;
        reading.strong = true;
    }
    reading.progress.kind = source.percent ? Progress::Kind::Percent : Progress::Kind::Count;
    reading.progress.fraction = source.fraction;
    reading.progress.done = source.done;
    reading.progress.total = source.total;
    reading.totalSize = source.totalSize;
    if (!reading.strong)
        reading.key = labelBefore(line.text, chosen.token.begin);
    return reading;
}

std::optional<Reading> readTokens(const CleanLine &line, LineEnd end) {
    const QString &s = line.text;
    QList<Token> tokens;
    for (qsizetype i = 0; i < s.size(); ++i) {
        std::optional<Token> token;
        if (s[i] == u'%')
            token = percentAt(line, i);
        else if (s[i] == u'/')
            token = slashCountAt(line, i);
        else if (s[i] == u' ' && QStringView(s).sliced(i).startsWith(u" of "))
            token = ofCountAt(line, i);
        if (!token)
            continue;
        // A count that ends the text of an Open line may be cut short ("12/4" of "12/400").
        if (!token->percent && end == LineEnd::Open && token->end == s.size())
            continue;
        if (tokens.size() == maxTokens)
            return std::nullopt;
        tokens.append(*token);
    }

    QList<Candidate> candidates;
    for (const Token &token : tokens) {
        const Context context = contextOf(line, token);
        const std::optional<Candidate> candidate =
            token.percent ? classifyPercent(token, context) : classifyCount(line, token, context);
        if (candidate)
            candidates.append(*candidate);
    }
    if (candidates.isEmpty())
        return std::nullopt;

    // The strongest candidates must all say the same, or the line is ambiguous.
    const bool anyStrong = std::any_of(candidates.begin(), candidates.end(),
                                       [](const Candidate &c) { return c.strong; });
    QList<Candidate> strongest;
    for (const Candidate &candidate : candidates) {
        if (candidate.strong == anyStrong)
            strongest.append(candidate);
    }
    const auto [low, high] = std::minmax_element(
        strongest.begin(), strongest.end(),
        [](const Candidate &a, const Candidate &b) { return a.token.fraction < b.token.fraction; });
    if (high->token.fraction - low->token.fraction > agreement)
        return std::nullopt;
    const Candidate &chosen = strongest.front();

    // A percentage and a count that agree are a tool's progress line ("45% (1351/3002)").
    const Token *agreeingCount = nullptr;
    const bool hasPercent = std::any_of(candidates.begin(), candidates.end(), [&](auto &c) {
        return c.token.percent && std::abs(c.token.fraction - chosen.token.fraction) <= agreement;
    });
    for (const Candidate &candidate : candidates) {
        if (hasPercent && !candidate.token.percent &&
            std::abs(candidate.token.fraction - chosen.token.fraction) <= agreement) {
            agreeingCount = &candidate.token;
            break;
        }
    }
    return readingOf(line, chosen, agreeingCount);
}

// ---- Whole-line forms of particular tools

const QString curlNumber = QStringLiteral(R"(\d+(?:\.\d+)?[kMGTPE]?)");
const QString curlTime = QStringLiteral(R"((?:--:--:--|\d+:\d\d:\d\d|\d+d \d\dh|\d+d))");

std::optional<Reading> readCurlMeter(const QString &s) {
    static const QRegularExpression row(
        QStringLiteral(
            R"(^ *(\d{1,3}) +(%1) +(\d{1,3}) +(%1) +(\d{1,3}) +(%1) +%1 +%1 +%2 +%2 +%2 +%1 *$)")
            .arg(curlNumber, curlTime));
    const QRegularExpressionMatch match = row.match(s);
    if (!match.hasMatch())
        return std::nullopt;
    const int percent = match.capturedView(1).toInt();
    const QStringView total = match.capturedView(2);
    const int received = match.capturedView(3).toInt();
    const QStringView receivedSize = match.capturedView(4);
    const int sent = match.capturedView(5).toInt();
    const QStringView sentSize = match.capturedView(6);
    // An unknown size shows 100 in the first column and 0 under "% Received".
    const bool download = percent == received && sentSize == u"0";
    const bool upload = percent == sent && receivedSize == u"0";
    if (total == u"0" || percent > 100 || !(download || upload))
        return std::nullopt;
    Reading reading;
    reading.form = Form::CurlMeter;
    reading.strong = true;
    reading.progress.fraction = percent / 100.0;
    return reading;
}

std::optional<Reading> readRsync(const QString &s) {
    // "  1,234,567  45%  1.23MB/s    0:00:05 (xfr#1, to-chk=9/91)"; the parenthesis may still be
    // arriving in an Open line.
    static const QRegularExpression line(QStringLiteral(
        R"(^ *\d[\d,.]*[KMGTP]? +(\d{1,3})% +\d+(?:\.\d+)?[kKMGTP]?B/s +\d+:\d\d:\d\d(?: +\(.*)? *$)"));
    const QRegularExpressionMatch match = line.match(s);
    if (!match.hasMatch())
        return std::nullopt;
    const int percent = match.capturedView(1).toInt();
    if (percent > 100)
        return std::nullopt;
    Reading reading;
    reading.form = Form::Rsync;
    reading.strong = true;
    reading.progress.fraction = percent / 100.0;
    return reading;
}

std::optional<Reading> readCtest(const QString &s) {
    static const QRegularExpression line(QStringLiteral(R"(^ *(\d{1,9})/(\d{1,9}) Test +#\d+: )"));
    const QRegularExpressionMatch match = line.match(s);
    if (!match.hasMatch())
        return std::nullopt;
    const qint64 done = match.capturedView(1).toLongLong();
    const qint64 total = match.capturedView(2).toLongLong();
    if (total <= 0 || done > total)
        return std::nullopt;
    Reading reading;
    reading.form = Form::Ctest;
    reading.strong = true;
    reading.progress = {Progress::Kind::Count, double(done) / double(total), done, total};
    reading.totalSize = double(total);
    return reading;
}

// ---- A job's own pattern

std::optional<double> parsePatternPercent(QStringView text) {
    QString number = text.trimmed().toString();
    if (number.endsWith(u'%'))
        number.chop(1);
    number = number.trimmed().replace(u',', u'.');
    const std::optional<double> value = parseNumber(number, 3);
    if (!value || *value > 100)
        return std::nullopt;
    return value;
}

std::optional<Operand> parsePatternCount(QStringView text) {
    QString number = text.trimmed().toString();
    number.remove(u',').remove(u'_');
    const std::optional<double> value = parseNumber(number, 15);
    if (!value)
        return std::nullopt;
    return Operand{0, 0, *value, !number.contains(u'.'), 0};
}

bool sameTotal(double a, double b) {
    return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b));
}

} // namespace

ProgressParser::ProgressParser(const QString &pattern) {
    setPattern(pattern);
}

QString ProgressParser::validatePattern(const QString &pattern) {
    if (pattern.isEmpty())
        return {};
    const QRegularExpression expression(pattern);
    if (!expression.isValid()) {
        return QStringLiteral("progress pattern: %1 at character %2")
            .arg(expression.errorString())
            .arg(expression.patternErrorOffset() + 1);
    }
    const QStringList groups = expression.namedCaptureGroups();
    const bool percent = groups.contains(u"percent");
    const bool done = groups.contains(u"done");
    const bool total = groups.contains(u"total");
    if (percent && (done || total)) {
        return QStringLiteral("progress pattern: use a (?<percent>...) group or (?<done>...) "
                              "and (?<total>...) groups, not both");
    }
    if (done != total) {
        return QStringLiteral("progress pattern: a (?<%1>...) group needs a (?<%2>...) group")
            .arg(done ? QStringLiteral("done") : QStringLiteral("total"),
                 done ? QStringLiteral("total") : QStringLiteral("done"));
    }
    if (!percent && !done) {
        return QStringLiteral("progress pattern: it needs a named group (?<percent>...), or "
                              "(?<done>...) and (?<total>...)");
    }
    return {};
}

bool ProgressParser::setPattern(const QString &pattern) {
    reset();
    m_patternText = pattern;
    m_patternError = validatePattern(pattern);
    if (pattern.isEmpty()) {
        m_pattern.reset();
    } else if (m_patternError.isEmpty()) {
        m_pattern = QRegularExpression(pattern);
        m_pattern->optimize();
    } else {
        m_pattern = QRegularExpression(); // no groups: reads nothing
    }
    return m_patternError.isEmpty();
}

void ProgressParser::reset() {
    m_shape.reset();
    m_current.reset();
    m_currentTotal = 0;
    m_pending.reset();
    m_streak = {};
}

std::optional<ProgressParser::Reading> ProgressParser::read(QStringView line, LineEnd end) const {
    const CleanLine text = cleanLine(line);
    if (m_pattern)
        return readPattern(text.text, end);
    if (!text.cut) {
        // Cheap looks first: most lines are none of these.
        const bool percent = text.text.contains(u'%');
        if (!percent) {
            if (auto reading = readCurlMeter(text.text))
                return reading;
        }
        if (percent && text.text.contains(u"B/s")) {
            if (auto reading = readRsync(text.text))
                return reading;
        }
        if (text.text.contains(u" Test ")) {
            if (auto reading = readCtest(text.text))
                return reading;
        }
    }
    return readTokens(text, end);
}

std::optional<ProgressParser::Reading> ProgressParser::readPattern(QStringView text,
                                                                   LineEnd end) const {
    const QRegularExpressionMatch match = m_pattern->match(text);
    if (!match.hasMatch())
        return std::nullopt;
    // A number that ends the text of an Open line may be cut short.
    const auto mayBeCut = [&](QStringView group) {
        return end == LineEnd::Open && match.capturedEnd(group) == text.size();
    };
    Reading reading;
    reading.form = Form::Custom;
    reading.strong = true;
    reading.progress.kind = Progress::Kind::Custom;
    if (match.capturedStart(u"percent") >= 0) {
        const std::optional<double> percent = parsePatternPercent(match.capturedView(u"percent"));
        if (!percent || mayBeCut(u"percent"))
            return std::nullopt;
        reading.progress.fraction = *percent / 100;
        return reading;
    }
    if (match.capturedStart(u"done") < 0 || match.capturedStart(u"total") < 0)
        return std::nullopt;
    const std::optional<Operand> done = parsePatternCount(match.capturedView(u"done"));
    const std::optional<Operand> total = parsePatternCount(match.capturedView(u"total"));
    if (!done || !total || total->value <= 0 || done->value > total->value || mayBeCut(u"done") ||
        mayBeCut(u"total"))
        return std::nullopt;
    reading.progress.fraction = done->value / total->value;
    if (done->whole && total->whole) {
        reading.progress.done = qint64(done->value);
        reading.progress.total = qint64(total->value);
    }
    reading.totalSize = total->value;
    return reading;
}

std::optional<Progress> ProgressParser::feed(QStringView line, LineEnd end) {
    const std::optional<Reading> reading = read(line, end);
    if (!reading)
        return std::nullopt;
    const Shape shape{reading->form, reading->key};
    if (m_shape) {
        if (shape == *m_shape) {
            m_streak = {};
            return advance(*reading);
        }
        if (m_current->fraction < 1)
            return takeOver(*reading);
        m_shape.reset(); // the locked phase finished: another tool may follow
    }
    if (reading->strong)
        return lock(*reading);
    const bool confirms = m_pending && Shape{m_pending->form, m_pending->key} == shape &&
                          reading->progress.fraction > m_pending->progress.fraction;
    if (confirms)
        return lock(*reading);
    m_pending = *reading;
    return std::nullopt;
}

std::optional<Progress> ProgressParser::advance(const Reading &reading) {
    const double fraction = reading.progress.fraction;
    const bool newTotal = reading.totalSize > 0 && !sameTotal(reading.totalSize, m_currentTotal);
    if (!newTotal && fraction < m_current->fraction && fraction > restartFraction)
        return std::nullopt;
    m_current = reading.progress;
    m_currentTotal = reading.totalSize;
    return m_current;
}

std::optional<Progress> ProgressParser::takeOver(const Reading &reading) {
    const Shape shape{reading.form, reading.key};
    const double fraction = reading.progress.fraction;
    // Redraws of a strong form may repeat a value; weak lines must show it moving.
    const bool continues =
        m_streak.lines > 0 && m_streak.shape == shape &&
        (reading.strong ? fraction >= m_streak.fraction : fraction > m_streak.fraction);
    m_streak = {shape, continues ? m_streak.lines + 1 : 1, fraction};
    // Taking over never moves the bar back either, unless to ~0.
    const bool forward = fraction >= m_current->fraction || fraction <= restartFraction;
    if (m_streak.lines < takeoverLines || !forward)
        return std::nullopt;
    return lock(reading);
}

std::optional<Progress> ProgressParser::lock(const Reading &reading) {
    m_shape = Shape{reading.form, reading.key};
    m_current = reading.progress;
    m_currentTotal = reading.totalSize;
    m_pending.reset();
    m_streak = {};
    return m_current;
}

} // namespace jobmonitor
