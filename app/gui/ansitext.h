#pragma once

#include <QList>
#include <QString>
#include <QStringView>

namespace jobmonitor {

// What SGR escape sequences ("\x1b[1;31m") have set. A terminal keeps it from one line to
// the next of the same stream, so the view carries it along per channel.
struct AnsiStyle {
    // A colour is -1 (the default), 0..255 (the xterm palette) or TrueColor | 0xRRGGBB.
    static constexpr qint32 TrueColor = 0x1000000;
    qint32 foreground = -1;
    qint32 background = -1;
    bool bold = false;
    bool faint = false;
    bool italic = false;
    bool underline = false;
    bool strike = false;
    bool inverse = false;

    bool isDefault() const { return *this == AnsiStyle(); }
    bool operator==(const AnsiStyle &) const = default;
};

// A line of output with its escape sequences taken out: the text to show, search and copy,
// and the styled stretches of it.
struct AnsiLine {
    struct Run {
        qsizetype start;
        qsizetype length;
        AnsiStyle style;
    };
    QString text;
    QList<Run> runs; // empty when the whole line is in the default style
    // Whether a run has a background (or inverse video), which StyledText cannot draw.
    bool needsRichText() const;
};

// Splits text into plain text and styled runs. Every escape sequence is removed (CSI such as
// cursor moves and erases, OSC such as titles and links, two-byte escapes); SGR ones change
// style, which starts as the style the line begins in and ends as the one it leaves behind.
// A line without ESC comes back as it is (shared, not copied).
AnsiLine parseAnsi(const QString &text, AnsiStyle &style);

// Markup for a Text item: StyledText when that can show the runs, else RichText (see
// needsRichText()). Colours are picked to be readable on a dark or a light background.
QString ansiMarkup(const AnsiLine &line, bool darkBackground);

// #RRGGBB of a colour of AnsiStyle on a dark or light background.
QString ansiColorName(qint32 color, bool darkBackground);

} // namespace jobmonitor
