#pragma once

#include "jobstate.h"

#include <QtQml/qqmlregistration.h>

// Makes the core's job states reachable from QML as JobState.Running, JobState.Failed, ...
// without the UI-free core knowing about QML. Generated from the core's one list of states, so
// a state added there is here too. (QML_FOREIGN_NAMESPACE would say this in one line, but Qt
// 6.4's type registrar emits code for it that does not compile.)
namespace jobmonitor::qmlstate {
Q_NAMESPACE
QML_NAMED_ELEMENT(JobState)

enum Value {
#define JOBMONITOR_QML_STATE(name, final, active) name = int(jobmonitor::JobState::name),
    JOBMONITOR_JOB_STATES(JOBMONITOR_QML_STATE)
#undef JOBMONITOR_QML_STATE
};
Q_ENUM_NS(Value)

} // namespace jobmonitor::qmlstate
