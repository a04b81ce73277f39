#pragma once

#include "jobstate.h"

#include <QtQml/qqmlregistration.h>

// Makes the core's job states reachable from QML as JobState.Running, JobState.Failed, ...
// without the UI-free core knowing about QML. (QML_FOREIGN_NAMESPACE would say this in one
// line, but Qt 6.4's type registrar emits code for it that does not compile.)
namespace jobmonitor::qmlstate {
Q_NAMESPACE
QML_NAMED_ELEMENT(JobState)

enum Value {
    Pending = int(jobmonitor::JobState::Pending),
    Running = int(jobmonitor::JobState::Running),
    Stopping = int(jobmonitor::JobState::Stopping),
    Retrying = int(jobmonitor::JobState::Retrying),
    Completed = int(jobmonitor::JobState::Completed),
    Failed = int(jobmonitor::JobState::Failed),
    TimedOut = int(jobmonitor::JobState::TimedOut),
    Cancelled = int(jobmonitor::JobState::Cancelled),
};
Q_ENUM_NS(Value)

// A state added to the core must be added here too.
static_assert(jobmonitor::JobStateCount == 8);
} // namespace jobmonitor::qmlstate
