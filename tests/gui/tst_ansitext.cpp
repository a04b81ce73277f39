// Escape sequences in job output: the text shown, searched and copied has none of them, and
// SGR colours become markup a Text item draws.
#include "ansitext.h"

#include <QTest>

using namespace jobmonitor;

Q_DECLARE_METATYPE(jobmonitor::AnsiStyle)

namespace {
QString esc(const char *text) {
    return QString::fromUtf8(text).replace(QLatin1String("\\e"), QString(QChar(0x1b)));
}
} // namespace

class TestAnsiText : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void plainText_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("styled");
        QTest::newRow("no escapes") << esc("hello world") << "hello world" << false;
        QTest::newRow("red") << esc("\\e[31mred\\e[0m plain") << "red plain" << true;
        QTest::newRow("reset only") << esc("a\\e[0mb\\e[mc") << "abc" << false;
        QTest::newRow("erase line") << esc("\\e[2Kprogress\\e[1G") << "progress" << false;
        QTest::newRow("cursor up") << esc("x\\e[3Ay") << "xy" << false;
        QTest::newRow("title (OSC, BEL)") << esc("\\e]0;title\ashown") << "shown" << false;
        QTest::newRow("link (OSC, ST)")
            << esc("\\e]8;;http://x\\e\\link\\e]8;;\\e\\") << "link" << false;
        QTest::newRow("charset") << esc("\\e(Bok") << "ok" << false;
        QTest::newRow("cut off at the end") << esc("done\\e[3") << "done" << false;
        QTest::newRow("lone escape") << esc("end\\e") << "end" << false;
        QTest::newRow("private mode") << esc("\\e[?25lhidden cursor") << "hidden cursor" << false;
    }
    void plainText() {
        QFETCH(QString, input);
        QFETCH(QString, text);
        QFETCH(bool, styled);
        AnsiStyle style;
        const AnsiLine line = parseAnsi(input, style);
        QCOMPARE(line.text, text);
        QCOMPARE(!line.runs.isEmpty(), styled);
        QVERIFY(style.isDefault());
    }

    void style_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<AnsiStyle>("expected"); // the style of the first character
        const auto with = [](auto change) {
            AnsiStyle s;
            change(s);
            return s;
        };
        QTest::newRow("16 colours")
            << esc("\\e[32mx") << with([](AnsiStyle &s) { s.foreground = 2; });
        QTest::newRow("bright") << esc("\\e[94mx") << with([](AnsiStyle &s) { s.foreground = 12; });
        QTest::newRow("bold red") << esc("\\e[1;31mx")
                                  << with([](AnsiStyle &s) { s.bold = true, s.foreground = 1; });
        QTest::newRow("256 colours")
            << esc("\\e[38;5;208mx") << with([](AnsiStyle &s) { s.foreground = 208; });
        QTest::newRow("true colour")
            << esc("\\e[38;2;255;128;0mx")
            << with([](AnsiStyle &s) { s.foreground = AnsiStyle::TrueColor | 0xff8000; });
        QTest::newRow("true colour, colons")
            << esc("\\e[38:2::10:20:30mx")
            << with([](AnsiStyle &s) { s.foreground = AnsiStyle::TrueColor | 0x0a141e; });
        QTest::newRow("background")
            << esc("\\e[44mx") << with([](AnsiStyle &s) { s.background = 4; });
        QTest::newRow("bold off") << esc("\\e[1m\\e[22mx\\e[33m")
                                  << AnsiStyle(); // x itself is plain
        QTest::newRow("default colour")
            << esc("\\e[31m\\e[39;4mx") << with([](AnsiStyle &s) { s.underline = true; });
        QTest::newRow("italic, strike, inverse")
            << esc("\\e[3;9;7mx")
            << with([](AnsiStyle &s) { s.italic = s.strike = s.inverse = true; });
        QTest::newRow("malformed extended colour") << esc("\\e[38;9;1mx") << AnsiStyle();
    }
    void style() {
        QFETCH(QString, input);
        QFETCH(AnsiStyle, expected);
        AnsiStyle style;
        const AnsiLine line = parseAnsi(input, style);
        QCOMPARE(line.text.left(1), QStringLiteral("x"));
        const AnsiStyle first = line.runs.isEmpty() || line.runs.first().start > 0
                                    ? AnsiStyle()
                                    : line.runs.first().style;
        QVERIFY(first == expected);
    }

    // A terminal keeps a colour set on one line for the next lines of the stream.
    void styleCarriesToTheNextLine() {
        AnsiStyle style;
        parseAnsi(esc("\\e[35mstarts magenta"), style);
        QCOMPARE(style.foreground, 5);
        const AnsiLine next = parseAnsi(QStringLiteral("still magenta"), style);
        QCOMPARE(next.runs.size(), 1);
        QCOMPARE(next.runs.first().style.foreground, 5);
        QCOMPARE(next.runs.first().length, next.text.size());
        parseAnsi(esc("\\e[0m"), style);
        QVERIFY(parseAnsi(QStringLiteral("plain again"), style).runs.isEmpty());
    }

    void markup() {
        AnsiStyle style;
        const AnsiLine line = parseAnsi(esc("a <b> & \\e[1;31mred  bold\\e[0m end"), style);
        QCOMPARE(line.text, QStringLiteral("a <b> & red  bold end"));
        QVERIFY(!line.needsRichText());
        // Bold basic red shows as bright red; markup characters are escaped; a second space
        // is kept.
        QCOMPARE(
            ansiMarkup(line, false),
            QStringLiteral("a &lt;b&gt; &amp; <font color=\"%1\"><b>red &nbsp;bold</b></font> end")
                .arg(ansiColorName(9, false)));
        QVERIFY(ansiColorName(1, false) != ansiColorName(1, true));
    }

    void backgroundNeedsRichText() {
        AnsiStyle style;
        const AnsiLine line = parseAnsi(esc("\\e[30;43mwarn\\e[0m"), style);
        QVERIFY(line.needsRichText());
        const QString markup = ansiMarkup(line, true);
        QVERIFY(markup.contains(QStringLiteral("background-color:%1").arg(ansiColorName(3, true))));
        QVERIFY(markup.contains(QStringLiteral("color:%1").arg(ansiColorName(0, true))));
    }

    void paletteColours_data() {
        QTest::addColumn<int>("color");
        QTest::addColumn<QString>("name");
        QTest::newRow("cube start") << 16 << "#000000";
        QTest::newRow("cube red") << 196 << "#ff0000";
        QTest::newRow("cube 208") << 208 << "#ff8700";
        QTest::newRow("grey 232") << 232 << "#080808";
        QTest::newRow("grey 255") << 255 << "#eeeeee";
        QTest::newRow("true colour") << (AnsiStyle::TrueColor | 0x123456) << "#123456";
    }
    void paletteColours() {
        QFETCH(int, color);
        QFETCH(QString, name);
        QCOMPARE(ansiColorName(color, false), name);
        QCOMPARE(ansiColorName(color, true), name);
    }
};

QTEST_GUILESS_MAIN(TestAnsiText)
#include "tst_ansitext.moc"
