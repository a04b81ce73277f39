#include "ansitext.h"

#include <array>

namespace jobmonitor {

namespace {

constexpr QChar Esc(0x1b);

// The sixteen basic colours, tuned per background so that each stays readable: the usual
// terminal values on dark, darker ones on light (yellow on white is otherwise invisible).
constexpr std::array<quint32, 16> DarkPalette{
    0x4d4d4d, 0xf0605a, 0x5ccf6a, 0xe5c45a, 0x6aa8f0, 0xd47fe0, 0x4fc9d6, 0xd0d0d0,
    0x8a8a8a, 0xff8580, 0x86e38f, 0xf5dc82, 0x98c3ff, 0xe9a6f2, 0x7ee0ea, 0xffffff};
constexpr std::array<quint32, 16> LightPalette{
    0x1e1e1e, 0xb3261e, 0x1e7a2c, 0x7a5d00, 0x1f5fb8, 0x8f2f9e, 0x0f6f78, 0x5f5f5f,
    0x555555, 0xd23c32, 0x2b8f3a, 0x8f6d00, 0x2f72d6, 0xa63db8, 0x17808a, 0x3c3c3c};

quint32 paletteRgb(int index, bool dark) {
    if (index < 16)
        return dark ? DarkPalette[size_t(index)] : LightPalette[size_t(index)];
    if (index < 232) {
        // The 6x6x6 cube.
        const int i = index - 16;
        const auto level = [](int v) { return quint32(v == 0 ? 0 : 55 + v * 40); };
        return level(i / 36) << 16 | level(i / 6 % 6) << 8 | level(i % 6);
    }
    const quint32 grey = quint32(8 + (index - 232) * 10);
    return grey << 16 | grey << 8 | grey;
}

// Parameters of an SGR sequence: "1;38;5;208" or "38:2::255:0:0"; empty ones are 0.
QList<int> sgrParameters(QStringView text) {
    QList<int> values;
    int value = 0;
    bool any = false;
    for (const QChar c : text) {
        if (c.isDigit()) {
            value = std::min(value * 10 + c.digitValue(), 1 << 24);
            any = true;
        } else {
            values.append(any ? value : 0);
            value = 0;
            any = false;
        }
    }
    values.append(any ? value : 0);
    return values;
}

// An extended colour after 38 or 48: "5;n" or "2;r;g;b" (the colour-space field of the
// colon form, "38:2::r:g:b", is dropped when parameters are split, so both arrive alike).
qint32 extendedColor(const QList<int> &p, qsizetype &i) {
    if (i + 1 < p.size() && p[i + 1] == 5 && i + 2 < p.size()) {
        i += 2;
        return std::clamp(p[i], 0, 255);
    }
    if (i + 1 < p.size() && p[i + 1] == 2 && i + 4 < p.size()) {
        const auto channel = [](int v) { return qint32(std::clamp(v, 0, 255)); };
        const qint32 rgb = channel(p[i + 2]) << 16 | channel(p[i + 3]) << 8 | channel(p[i + 4]);
        i += 4;
        return AnsiStyle::TrueColor | rgb;
    }
    i = p.size(); // malformed: ignore the rest of the sequence, as terminals do
    return -1;
}

void applySgr(QStringView parameters, AnsiStyle &style) {
    QString normalised = parameters.toString();
    // "38:2::r:g:b" has an empty colour-space field that "38;2;r;g;b" lacks.
    normalised.replace(QLatin1String(":2::"), QLatin1String(":2:"));
    const QList<int> p = sgrParameters(normalised);
    for (qsizetype i = 0; i < p.size(); ++i) {
        const int code = p[i];
        if (code == 0)
            style = AnsiStyle();
        else if (code == 1)
            style.bold = true;
        else if (code == 2)
            style.faint = true;
        else if (code == 3)
            style.italic = true;
        else if (code == 4 || code == 21)
            style.underline = true;
        else if (code == 7)
            style.inverse = true;
        else if (code == 9)
            style.strike = true;
        else if (code == 22)
            style.bold = style.faint = false;
        else if (code == 23)
            style.italic = false;
        else if (code == 24)
            style.underline = false;
        else if (code == 27)
            style.inverse = false;
        else if (code == 29)
            style.strike = false;
        else if (code >= 30 && code <= 37)
            style.foreground = code - 30;
        else if (code == 38)
            style.foreground = extendedColor(p, i);
        else if (code == 39)
            style.foreground = -1;
        else if (code >= 40 && code <= 47)
            style.background = code - 40;
        else if (code == 48)
            style.background = extendedColor(p, i);
        else if (code == 49)
            style.background = -1;
        else if (code >= 90 && code <= 97)
            style.foreground = code - 90 + 8;
        else if (code >= 100 && code <= 107)
            style.background = code - 100 + 8;
    }
}

// Length of the escape sequence at text[at] (which is ESC), the whole rest when unfinished.
// Sets sgr to its parameters when it is an SGR sequence.
qsizetype escapeLength(QStringView text, qsizetype at, QStringView *sgr) {
    const qsizetype n = text.size();
    qsizetype i = at + 1;
    if (i >= n)
        return n - at;
    const char16_t kind = text[i].unicode();
    if (kind == u'[') { // CSI: parameters, intermediates, one final byte
        const qsizetype params = ++i;
        while (i < n && text[i].unicode() >= 0x30 && text[i].unicode() <= 0x3f)
            ++i;
        const qsizetype paramsEnd = i;
        while (i < n && text[i].unicode() >= 0x20 && text[i].unicode() <= 0x2f)
            ++i;
        if (i >= n)
            return n - at;
        if (text[i] == u'm' && paramsEnd == i)
            *sgr = text.sliced(params, paramsEnd - params);
        return i + 1 - at;
    }
    if (kind == u']' || kind == u'P' || kind == u'_' || kind == u'^') {
        // OSC and other strings: up to BEL or ST (ESC \).
        for (++i; i < n; ++i) {
            if (text[i] == u'\a')
                return i + 1 - at;
            if (text[i] == Esc && i + 1 < n && text[i + 1] == u'\\')
                return i + 2 - at;
        }
        return n - at;
    }
    // Two-byte escapes, with intermediates before the final byte ("ESC ( B").
    while (i < n && text[i].unicode() >= 0x20 && text[i].unicode() <= 0x2f)
        ++i;
    return std::min(i + 1, n) - at;
}

void appendEscaped(QString &out, QStringView text, bool rich) {
    bool afterSpace = false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u' ') {
            // Markup collapses runs of spaces; keep a breakable first one, pin the rest.
            out += afterSpace && !rich ? QStringLiteral("&nbsp;") : QStringLiteral(" ");
            afterSpace = true;
            continue;
        }
        afterSpace = false;
        if (u == u'&')
            out += QLatin1String("&amp;");
        else if (u == u'<')
            out += QLatin1String("&lt;");
        else if (u == u'>')
            out += QLatin1String("&gt;");
        else if (u == u'"')
            out += QLatin1String("&quot;");
        else if (u == u'\t')
            out += rich ? QStringLiteral("\t") : QStringLiteral("&nbsp;&nbsp;&nbsp;&nbsp;");
        else
            out += c;
    }
}

} // namespace

bool AnsiLine::needsRichText() const {
    for (const Run &run : runs)
        if (run.style.background >= 0 || run.style.inverse)
            return true;
    return false;
}

AnsiLine parseAnsi(const QString &text, AnsiStyle &style) {
    AnsiLine line;
    qsizetype esc = text.indexOf(Esc);
    if (esc < 0) {
        line.text = text;
        if (!style.isDefault() && !text.isEmpty())
            line.runs.append({0, text.size(), style});
        return line;
    }
    line.text.reserve(text.size());
    const QStringView view(text);
    qsizetype from = 0;
    const auto addText = [&](qsizetype start, qsizetype end) {
        if (end <= start)
            return;
        if (!style.isDefault()) {
            if (!line.runs.isEmpty() && line.runs.last().style == style &&
                line.runs.last().start + line.runs.last().length == line.text.size())
                line.runs.last().length += end - start;
            else
                line.runs.append({line.text.size(), end - start, style});
        }
        line.text += view.sliced(start, end - start);
    };
    while (esc >= 0) {
        addText(from, esc);
        QStringView sgr;
        const qsizetype length = escapeLength(view, esc, &sgr);
        if (!sgr.isNull())
            applySgr(sgr, style);
        from = esc + length;
        esc = text.indexOf(Esc, from);
    }
    addText(from, text.size());
    return line;
}

QString ansiColorName(qint32 color, bool darkBackground) {
    const quint32 rgb = color & AnsiStyle::TrueColor ? quint32(color & 0xffffff)
                                                     : paletteRgb(color, darkBackground);
    return QStringLiteral("#%1").arg(rgb, 6, 16, QLatin1Char('0'));
}

QString ansiMarkup(const AnsiLine &line, bool darkBackground) {
    const bool rich = line.needsRichText();
    QString out;
    out.reserve(line.text.size() * 2 + line.runs.size() * 48);
    if (rich)
        out += QLatin1String("<span style=\"white-space:pre-wrap\">");
    qsizetype at = 0;
    const QStringView text(line.text);
    for (const AnsiLine::Run &run : line.runs) {
        appendEscaped(out, text.sliced(at, run.start - at), rich);
        const AnsiStyle &s = run.style;
        qint32 fg = s.foreground;
        qint32 bg = s.background;
        // Bold with a basic colour shows its bright variant, as most terminals do.
        if (s.bold && fg >= 0 && fg < 8)
            fg += 8;
        if (s.inverse) {
            std::swap(fg, bg);
            // The default colours swapped: text in the background's colour on the text's.
            if (fg < 0)
                fg = darkBackground ? 0 : 15;
            if (bg < 0)
                bg = darkBackground ? 15 : 0;
        }
        QString open;
        QString close;
        if (rich) {
            QString css;
            if (fg >= 0)
                css += QStringLiteral("color:%1;").arg(ansiColorName(fg, darkBackground));
            if (bg >= 0)
                css +=
                    QStringLiteral("background-color:%1;").arg(ansiColorName(bg, darkBackground));
            if (s.bold)
                css += QLatin1String("font-weight:bold;");
            if (s.italic)
                css += QLatin1String("font-style:italic;");
            if (s.underline || s.strike)
                css += s.underline && s.strike
                           ? QLatin1String("text-decoration:underline line-through;")
                       : s.underline ? QLatin1String("text-decoration:underline;")
                                     : QLatin1String("text-decoration:line-through;");
            open = QStringLiteral("<span style=\"%1\">").arg(css);
            close = QStringLiteral("</span>");
        } else {
            if (fg >= 0 || s.faint) {
                const QString name =
                    fg >= 0 ? ansiColorName(fg, darkBackground) : QStringLiteral("#808080");
                open += QStringLiteral("<font color=\"%1\">").arg(name);
                close.prepend(QLatin1String("</font>"));
            }
            for (const auto &[on, tag] : {std::pair{s.bold, "b"}, std::pair{s.italic, "i"},
                                          std::pair{s.underline, "u"}, std::pair{s.strike, "s"}}) {
                if (!on)
                    continue;
                open += QStringLiteral("<%1>").arg(QLatin1String(tag));
                close.prepend(QStringLiteral("</%1>").arg(QLatin1String(tag)));
            }
        }
        out += open;
        appendEscaped(out, text.sliced(run.start, run.length), rich);
        out += close;
        at = run.start + run.length;
    }
    appendEscaped(out, text.sliced(at), rich);
    if (rich)
        out += QLatin1String("</span>");
    return out;
}

} // namespace jobmonitor
