#include "statediagram.h"

#include <algorithm>
#include <cmath>

namespace jobmonitor {

namespace {

using enum JobState;

// Frames, by index: the states before an attempt (Waiting with the queue), the queue (Queued
// and Retrying launch, fail to launch and are cancelled alike), the states whose attempt runs
// (they end, fail, retry and are interrupted alike), and the ended states a user can run again.
enum Frame { NotStarted, Queue, Started, Again };

struct Bend {
    std::optional<JobState> from;
    int frame;
    JobState to;
    double bend;
};

// Bends other than the default (0, or 0.2 for arrows both ways between two states).
const QList<Bend> &bends() {
    static const QList<Bend> table{
        // Launching fails and a run comes back to the queue between the same two states.
        {std::nullopt, Queue, Failed, -0.03},
        {std::nullopt, Again, Pending, -0.03},
        // Cancel passes under Paused.
        {std::nullopt, NotStarted, Cancelled, 0.1},
    };
    return table;
}

QRectF inflated(const QRectF &rect, double by) {
    return rect.adjusted(-by, -by, by, by);
}

// Where the line from the centre of rect towards target leaves rect.
QPointF exitPoint(const QRectF &rect, QPointF target) {
    const QPointF centre = rect.center();
    const double dx = target.x() - centre.x();
    const double dy = target.y() - centre.y();
    const double sx = dx != 0 ? rect.width() / 2 / std::abs(dx) : INFINITY;
    const double sy = dy != 0 ? rect.height() / 2 / std::abs(dy) : INFINITY;
    const double s = std::min(sx, sy);
    return std::isfinite(s) ? centre + QPointF(dx, dy) * s : centre;
}

QPointF nearestPoint(const QRectF &rect, QPointF to) {
    return {std::clamp(to.x(), rect.left(), rect.right()),
            std::clamp(to.y(), rect.top(), rect.bottom())};
}

// Arrows leave and reach a state this far out of its box.
constexpr double ArrowGap = 3;

} // namespace

int stateDiagramColumns() {
    return 5;
}

int stateDiagramRows() {
    return 5;
}

// Three layers, left to right: before an attempt, the attempt, its end. The queue's failed
// launches and the runs sent back to it pass above the attempt, between Queued and Failed;
// cancels and Retrying pass below it; Interrupted and Completed sit on top of the attempt,
// the ends that only it and the states before it lead to.
QPointF stateDiagramPosition(JobState state) {
    switch (state) {
    case Waiting:
        return {0, 0};
    case Pending:
        return {0, 1};
    case Retrying:
        return {0, 3.4};
    case Running:
        return {1.4, 2.6};
    case Paused:
        return {2, 3.4};
    case Stopping:
        return {2.6, 2.6};
    case Completed:
        return {2.4, 1.8};
    case Failed:
        return {3.75, 1};
    case TimedOut:
        return {3.75, 2.35};
    case Cancelled:
        return {3.75, 3.7};
    case Interrupted:
        return {1.2, 1.8};
    }
    return {};
}

const QList<StateFrame> &stateDiagramFrames() {
    static const QList<StateFrame> frames{
        {{Waiting, Pending, Retrying}, 2},
        {{Pending, Retrying}, 1},
        {{Running, Paused, Stopping}, 1},
        {{Failed, TimedOut, Cancelled}, 1},
    };
    return frames;
}

bool StateArrow::covers(JobState source, JobState target) const {
    if (target != to)
        return false;
    return from ? *from == source : stateDiagramFrames()[frame].members.contains(source);
}

bool StateArrow::covers(JobState source, JobEvent event, JobState target) const {
    return covers(source, target) && events.contains(event);
}

QList<StateArrow> stateDiagramArrows() {
    struct Pair {
        JobState from;
        JobState to;
        QList<JobEvent> events;
    };
    QList<Pair> pairs;
    for (const TransitionRule &rule : transitionTable()) {
        const auto it = std::find_if(pairs.begin(), pairs.end(), [&](const Pair &p) {
            return p.from == rule.from && p.to == rule.to;
        });
        if (it == pairs.end())
            pairs.append({rule.from, rule.to, {rule.event}});
        else
            it->events.append(rule.event);
    }
    const auto eventsOf = [&pairs](JobState from, JobState to) -> QList<JobEvent> * {
        for (Pair &p : pairs)
            if (p.from == from && p.to == to)
                return &p.events;
        return nullptr;
    };

    QList<StateArrow> arrows;
    // Outer frames first: what every state of a frame does alike, its inner frames need not.
    const QList<StateFrame> &frames = stateDiagramFrames();
    QList<int> order;
    for (int i = 0; i < frames.size(); ++i)
        order.append(i);
    std::stable_sort(order.begin(), order.end(),
                     [&frames](int a, int b) { return frames[a].depth > frames[b].depth; });
    for (const int f : std::as_const(order)) {
        const QList<JobState> &members = frames[f].members;
        for (const JobState to : allJobStates()) {
            if (members.contains(to))
                continue;
            QList<JobEvent> common;
            if (const QList<JobEvent> *first = eventsOf(members.first(), to))
                common = *first;
            for (const JobState member : members) {
                const QList<JobEvent> *events = eventsOf(member, to);
                common.removeIf([events](JobEvent e) { return !events || !events->contains(e); });
            }
            if (common.isEmpty())
                continue;
            for (const JobState member : members)
                eventsOf(member, to)->removeIf([&common](JobEvent e) {
                    return common.contains(e);
                });
            arrows.append({std::nullopt, f, to, common});
        }
    }
    for (const Pair &p : std::as_const(pairs))
        if (!p.events.isEmpty())
            arrows.append({p.from, -1, p.to, p.events});

    for (StateArrow &arrow : arrows) {
        const bool bothWays =
            arrow.from &&
            std::any_of(arrows.cbegin(), arrows.cend(), [&arrow](const StateArrow &a) {
                return a.from == arrow.to && a.to == *arrow.from;
            });
        arrow.bend = bothWays ? 0.2 : 0;
        for (const Bend &bend : bends())
            if (bend.from == arrow.from && bend.frame == arrow.frame && bend.to == arrow.to)
                arrow.bend = bend.bend;
    }
    return arrows;
}

QPointF StateDiagramGeometry::centre(JobState state) const {
    const QPointF grid = stateDiagramPosition(state);
    const double cellWidth =
        (view.width() - node.width() - 2 * margin) / std::max(1, stateDiagramColumns() - 1);
    const double cellHeight =
        (view.height() - node.height() - 2 * margin) / std::max(1, stateDiagramRows() - 1);
    return {margin + node.width() / 2 + grid.x() * cellWidth,
            margin + node.height() / 2 + grid.y() * cellHeight};
}

QRectF StateDiagramGeometry::nodeBox(JobState state) const {
    const QPointF c = centre(state);
    return {c.x() - node.width() / 2, c.y() - node.height() / 2, node.width(), node.height()};
}

QRectF StateDiagramGeometry::frameBox(int frame) const {
    const StateFrame &f = stateDiagramFrames()[frame];
    QRectF box;
    for (const JobState member : f.members)
        box |= inflated(nodeBox(member), framePadding * f.depth);
    return box;
}

QPointF ArrowPath::at(double t) const {
    const double u = 1 - t;
    return u * u * start + 2 * u * t * control + t * t * end;
}

// A frame's arrow leaves its border where it comes nearest the target, so that arrows to
// states beside a frame leave it straight; a state's leaves its box towards the curve's
// control point, as it reaches its target's.
ArrowPath arrowPath(const StateArrow &arrow, const StateDiagramGeometry &geometry) {
    const QPointF target = geometry.centre(arrow.to);
    const QPointF source = arrow.from ? geometry.centre(*arrow.from)
                                      : nearestPoint(geometry.frameBox(arrow.frame), target);
    const QPointF d = target - source;
    const QPointF control = (source + target) / 2 + QPointF(-d.y(), d.x()) * arrow.bend;
    const QPointF start =
        arrow.from ? exitPoint(inflated(geometry.nodeBox(*arrow.from), ArrowGap), control) : source;
    const QPointF end = exitPoint(inflated(geometry.nodeBox(arrow.to), ArrowGap), control);
    return {start, control, end};
}

} // namespace jobmonitor
