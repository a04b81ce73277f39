#pragma once

#include "jobstate.h"

#include <QList>
#include <QPointF>
#include <QRectF>
#include <QSizeF>

#include <optional>

namespace jobmonitor {

// The layout of the state diagram, in one place: where each state sits, which states are drawn
// inside one frame, and the arrows between them with their paths. The view draws exactly
// these paths, and a test proves that no two of them cross and none passes through a state it
// does not connect.
//
// The transition table, drawn one arrow per pair of states, cannot be drawn without crossings:
// Running, Paused and Stopping each lead to Completed, Failed and Retrying (a K3,3). So states
// that share transitions are framed, as UML's composite states are, and one arrow from the
// frame stands for each transition all of them share ("Running, Paused and Stopping: Exited
// -> Completed"). Frames are a layout choice; which arrows a frame takes over follows from the
// table alone.

// Grid units: x from 0 to stateDiagramColumns() - 1, y from 0 to stateDiagramRows() - 1.
int stateDiagramColumns();
int stateDiagramRows();
QPointF stateDiagramPosition(JobState state);

struct StateFrame {
    QList<JobState> members;
    // How many frames it holds within it, and so how far its border stands out of its states.
    int depth = 1;
};
const QList<StateFrame> &stateDiagramFrames();

struct StateArrow {
    std::optional<JobState> from; // a state, or
    int frame = -1;               // the frame whose every member takes it
    JobState to;
    QList<JobEvent> events; // in the table's order
    // How far the arrow curves off the straight line, as a share of its length; signed.
    double bend = 0;

    bool covers(JobState source, JobState target) const;
    bool covers(JobState source, JobEvent event, JobState target) const;
};
// Every transition of the table is covered by exactly one arrow.
QList<StateArrow> stateDiagramArrows();

// Sizes in pixels of the view that draws the diagram.
struct StateDiagramGeometry {
    QSizeF view;
    QSizeF node;
    double margin = 0;
    double framePadding = 0; // between a frame and what it holds

    QPointF centre(JobState state) const;
    QRectF nodeBox(JobState state) const;
    QRectF frameBox(int frame) const;
};

// A quadratic Bézier curve from start to end, both on the border of what the arrow connects.
struct ArrowPath {
    QPointF start;
    QPointF control;
    QPointF end;

    QPointF at(double t) const;
};
ArrowPath arrowPath(const StateArrow &arrow, const StateDiagramGeometry &geometry);

} // namespace jobmonitor
