// The state diagram's layout (app/gui/statediagram.h) as the view draws it, at the sizes the
// window gives the view: every transition of the table has exactly one arrow; no two arrows
// cross; no arrow passes through a state it does not connect, or through a frame it neither
// leaves nor enters; frames hold their own states only; and all of it lies inside the view.
#include "statediagram.h"
#include "stateedgemodel.h"

#include <QTest>

#include <algorithm>

using namespace jobmonitor;

namespace {

// Enough points that a curve between two of them is straight to a fraction of a pixel.
constexpr int Samples = 400;

QList<QPointF> polyline(const ArrowPath &path) {
    QList<QPointF> points;
    for (int i = 0; i <= Samples; ++i)
        points.append(path.at(double(i) / Samples));
    return points;
}

double cross(QPointF o, QPointF a, QPointF b) {
    return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
}

// Proper crossings only: arrows that end at the same state meet at its border, not before.
bool segmentsCross(QPointF a, QPointF b, QPointF c, QPointF d) {
    return cross(c, d, a) * cross(c, d, b) < 0 && cross(a, b, c) * cross(a, b, d) < 0;
}

bool crosses(const QList<QPointF> &a, const QList<QPointF> &b) {
    for (qsizetype i = 1; i < a.size(); ++i)
        for (qsizetype j = 1; j < b.size(); ++j)
            if (segmentsCross(a[i - 1], a[i], b[j - 1], b[j]))
                return true;
    return false;
}

bool enters(const QList<QPointF> &line, const QRectF &box) {
    return std::any_of(line.cbegin(), line.cend(), [&box](QPointF p) { return box.contains(p); });
}

QString stateName(JobState state) {
    return jobStateName(state);
}

QString describe(const StateArrow &arrow) {
    QString from;
    if (arrow.from) {
        from = stateName(*arrow.from);
    } else {
        QStringList members;
        for (const JobState member : stateDiagramFrames()[arrow.frame].members)
            members.append(stateName(member));
        from = QStringLiteral("[%1]").arg(members.join(QLatin1Char(' ')));
    }
    return QStringLiteral("%1 -> %2").arg(from, stateName(arrow.to));
}

// Whether the arrow leaves or enters the frame (or a frame within it): then it may cross it.
bool belongsTo(const StateArrow &arrow, int frame) {
    const QList<JobState> &members = stateDiagramFrames()[frame].members;
    if (members.contains(arrow.to))
        return true;
    if (arrow.from)
        return members.contains(*arrow.from);
    for (const JobState member : stateDiagramFrames()[arrow.frame].members)
        if (!members.contains(member))
            return false;
    return true;
}

} // namespace

class TestStateDiagram : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyTransitionHasOneArrow() {
        const QList<StateArrow> arrows = stateDiagramArrows();
        for (const TransitionRule &rule : transitionTable()) {
            const auto count =
                std::count_if(arrows.cbegin(), arrows.cend(), [&](const StateArrow &a) {
                    return a.covers(rule.from, rule.event, rule.to);
                });
            QVERIFY2(count == 1, qPrintable(QStringLiteral("%1 -%2-> %3: %4 arrows")
                                                .arg(stateName(rule.from), jobEventName(rule.event),
                                                     stateName(rule.to))
                                                .arg(count)));
        }
        // And no arrow stands for a transition the table does not have.
        for (const StateArrow &arrow : arrows) {
            QVERIFY(!arrow.events.isEmpty());
            const QList<JobState> sources = arrow.from ? QList<JobState>{*arrow.from}
                                                       : stateDiagramFrames()[arrow.frame].members;
            for (const JobState source : sources)
                for (const JobEvent event : arrow.events)
                    QCOMPARE(nextState(source, event), std::optional(arrow.to));
        }
        // The model the view reads finds each transition's arrow.
        StateEdgeModel model;
        QCOMPARE(model.rowCount(), int(arrows.size()));
        for (const TransitionRule &rule : transitionTable())
            QVERIFY(model.rowOf(int(rule.from), int(rule.to)) >= 0);
    }

    // Sizes of the view: the window's details pane as the screenshots show it (and with a
    // larger font), the QuickTest's, and panes of other shapes.
    void layout_data() {
        QTest::addColumn<QSizeF>("view");
        QTest::addColumn<QSizeF>("node");
        QTest::addColumn<double>("margin");
        QTest::addColumn<double>("framePadding");
        QTest::newRow("details pane") << QSizeF(545, 250) << QSizeF(86, 26) << 12.0 << 6.0;
        QTest::newRow("details pane, smaller font")
            << QSizeF(545, 250) << QSizeF(86, 21) << 10.0 << 5.0;
        QTest::newRow("details pane, larger font")
            << QSizeF(545, 250) << QSizeF(94, 28) << 12.0 << 6.0;
        QTest::newRow("quick test") << QSizeF(640, 300) << QSizeF(86, 26) << 12.0 << 6.0;
        QTest::newRow("tall") << QSizeF(545, 300) << QSizeF(86, 26) << 12.0 << 6.0;
        QTest::newRow("wide and short") << QSizeF(700, 250) << QSizeF(86, 26) << 12.0 << 6.0;
        QTest::newRow("wide") << QSizeF(900, 330) << QSizeF(86, 26) << 12.0 << 6.0;
        QTest::newRow("large") << QSizeF(800, 400) << QSizeF(94, 28) << 12.0 << 6.0;
    }
    void layout() {
        QFETCH(QSizeF, view);
        QFETCH(QSizeF, node);
        QFETCH(double, margin);
        QFETCH(double, framePadding);
        const StateDiagramGeometry geometry{view, node, margin, framePadding};
        const QList<StateArrow> arrows = stateDiagramArrows();
        const QList<StateFrame> &frames = stateDiagramFrames();
        QList<QList<QPointF>> lines;
        for (const StateArrow &arrow : arrows)
            lines.append(polyline(arrowPath(arrow, geometry)));
        const QRectF inside(QPointF(0, 0), view);

        QStringList problems;
        for (qsizetype i = 0; i < arrows.size(); ++i) {
            for (qsizetype j = i + 1; j < arrows.size(); ++j)
                if (crosses(lines[i], lines[j]))
                    problems << describe(arrows[i]) + QStringLiteral(" crosses ") +
                                    describe(arrows[j]);
            for (const JobState state : allJobStates()) {
                if (state == arrows[i].to || arrows[i].from == state)
                    continue;
                if (enters(lines[i], geometry.nodeBox(state)))
                    problems << describe(arrows[i]) + QStringLiteral(" passes through ") +
                                    stateName(state);
            }
            for (int f = 0; f < frames.size(); ++f)
                if (!belongsTo(arrows[i], f) && enters(lines[i], geometry.frameBox(f)))
                    problems << describe(arrows[i]) +
                                    QStringLiteral(" passes through frame %1").arg(f);
            if (!std::all_of(lines[i].cbegin(), lines[i].cend(),
                             [&inside](QPointF p) { return inside.contains(p); }))
                problems << describe(arrows[i]) + QStringLiteral(" leaves the view");
        }
        for (int f = 0; f < frames.size(); ++f) {
            const QRectF box = geometry.frameBox(f);
            if (!inside.contains(box))
                problems << QStringLiteral("frame %1 leaves the view").arg(f);
            for (const JobState state : allJobStates())
                if (!frames[f].members.contains(state) && box.intersects(geometry.nodeBox(state)))
                    problems << QStringLiteral("frame %1 holds %2").arg(f).arg(stateName(state));
            for (int g = f + 1; g < frames.size(); ++g) {
                const auto &a = frames[f].members;
                const auto &b = frames[g].members;
                const bool nested =
                    std::all_of(a.cbegin(), a.cend(), [&b](JobState s) { return b.contains(s); }) ||
                    std::all_of(b.cbegin(), b.cend(), [&a](JobState s) { return a.contains(s); });
                if (!nested && box.intersects(geometry.frameBox(g)))
                    problems << QStringLiteral("frames %1 and %2 overlap").arg(f).arg(g);
            }
        }
        for (const JobState a : allJobStates())
            for (const JobState b : allJobStates())
                if (a < b && geometry.nodeBox(a).intersects(geometry.nodeBox(b)))
                    problems << stateName(a) + QStringLiteral(" overlaps ") + stateName(b);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestStateDiagram)
#include "tst_statediagram.moc"
