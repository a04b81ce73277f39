#include "jobstate.h"
#include "qmljobstate.h"

#include <QMetaEnum>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

using jobmonitor::JobEvent;
using jobmonitor::JobState;
using jobmonitor::JobStateMachine;
using jobmonitor::Transition;

namespace {

using enum JobState;
using E = JobEvent;

struct Row {
    JobState from;
    JobEvent event;
    JobState to;
};

// The transition table as specified, written out independently of the implementation.
const QList<Row> expectedTable{
    {Pending, E::Wait, Waiting},
    {Pending, E::Launch, Running},
    {Pending, E::LaunchFailed, Failed},
    {Pending, E::Cancel, Cancelled},
    {Waiting, E::Ready, Pending},
    {Waiting, E::Cancel, Cancelled},
    {Running, E::Exited, Completed},
    {Running, E::ExitedWithError, Failed},
    {Running, E::Lost, Failed},
    {Running, E::ScheduleRetry, Retrying},
    {Running, E::Stop, Stopping},
    {Running, E::Pause, Paused},
    {Paused, E::Resume, Running},
    {Paused, E::Stop, Stopping},
    {Paused, E::Exited, Completed},
    {Paused, E::ExitedWithError, Failed},
    {Paused, E::Lost, Failed},
    {Paused, E::ScheduleRetry, Retrying},
    {Stopping, E::StoppedCancel, Cancelled},
    {Stopping, E::StoppedTimeout, TimedOut},
    {Stopping, E::StoppedLimit, Failed},
    {Stopping, E::ScheduleRetry, Retrying},
    // The attempt ended by itself before the stop reached it: it ended as it would have.
    {Stopping, E::Exited, Completed},
    {Stopping, E::ExitedWithError, Failed},
    {Stopping, E::Lost, Failed},
    {Retrying, E::Launch, Running},
    {Retrying, E::LaunchFailed, Failed},
    {Retrying, E::Cancel, Cancelled},
    {Failed, E::Requeue, Pending},
    {TimedOut, E::Requeue, Pending},
    {Cancelled, E::Requeue, Pending},
    // Found unfinished in the store after the process that ran the job died.
    {Pending, E::Interrupt, Interrupted},
    {Waiting, E::Interrupt, Interrupted},
    {Running, E::Interrupt, Interrupted},
    {Paused, E::Interrupt, Interrupted},
    {Stopping, E::Interrupt, Interrupted},
    {Retrying, E::Interrupt, Interrupted},
};

// The states as specified, in the order of the list. The QML enum must name every one of them
// with the core's value: a state missing there fails to compile here.
const QList<JobState> expectedStates{Pending,   Waiting, Running,  Paused,    Stopping,   Retrying,
                                     Completed, Failed,  TimedOut, Cancelled, Interrupted};
#define JM_SAME_IN_QML(name)                                                                       \
    static_assert(int(jobmonitor::qmlstate::name) == int(jobmonitor::JobState::name));
JM_SAME_IN_QML(Pending)
JM_SAME_IN_QML(Waiting)
JM_SAME_IN_QML(Running)
JM_SAME_IN_QML(Paused)
JM_SAME_IN_QML(Stopping)
JM_SAME_IN_QML(Retrying)
JM_SAME_IN_QML(Completed)
JM_SAME_IN_QML(Failed)
JM_SAME_IN_QML(TimedOut)
JM_SAME_IN_QML(Cancelled)
JM_SAME_IN_QML(Interrupted)
#undef JM_SAME_IN_QML
static_assert(jobmonitor::JobStateCount == 11);

std::optional<JobState> expectedNext(JobState from, JobEvent event) {
    for (const Row &row : expectedTable) {
        if (row.from == from && row.event == event)
            return row.to;
    }
    return std::nullopt;
}

template<typename Enum>
QList<Enum> allValues() {
    const QMetaEnum meta = QMetaEnum::fromType<Enum>();
    QList<Enum> values;
    for (int i = 0; i < meta.keyCount(); ++i)
        values << Enum(meta.value(i));
    return values;
}

// Events that lead a new machine (Pending) to the given state.
QList<JobEvent> pathTo(JobState state) {
    switch (state) {
    case Pending:
        return {};
    case Waiting:
        return {E::Wait};
    case Running:
        return {E::Launch};
    case Paused:
        return {E::Launch, E::Pause};
    case Stopping:
        return {E::Launch, E::Stop};
    case Retrying:
        return {E::Launch, E::ScheduleRetry};
    case Completed:
        return {E::Launch, E::Exited};
    case Failed:
        return {E::LaunchFailed};
    case TimedOut:
        return {E::Launch, E::Stop, E::StoppedTimeout};
    case Interrupted:
        return {E::Launch, E::Interrupt};
    case Cancelled:
        break;
    }
    return {E::Cancel};
}

void driveTo(JobStateMachine &machine, JobState state) {
    for (JobEvent event : pathTo(state))
        QVERIFY(machine.apply(event, QStringLiteral("setup"), 1));
    QCOMPARE(machine.state(), state);
}

void compareTransitions(const Transition &actual, const Transition &expected) {
    QCOMPARE(actual.from, expected.from);
    QCOMPARE(actual.to, expected.to);
    QCOMPARE(actual.event, expected.event);
    QCOMPARE(actual.time, expected.time);
    QCOMPARE(actual.reason, expected.reason);
    QCOMPARE(actual.attempt, expected.attempt);
    QCOMPARE(actual.exitCode, expected.exitCode);
    QCOMPARE(actual.signal, expected.signal);
}

} // namespace

class TestJobState : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(m_log);
        sink->set_pattern("%l %v");
        auto logger = std::make_shared<spdlog::logger>("test", sink);
        logger->set_level(spdlog::level::info);
        spdlog::set_default_logger(logger);
    }
    void init() { m_log.str({}); }

    void names_data() {
        QTest::addColumn<JobState>("state");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("final");
        QTest::addColumn<bool>("active");
        QTest::newRow("Pending") << Pending << QStringLiteral("Pending") << false << false;
        QTest::newRow("Waiting") << Waiting << QStringLiteral("Waiting") << false << false;
        QTest::newRow("Running") << Running << QStringLiteral("Running") << false << true;
        // Its processes are stopped, not gone: quitting must still end them.
        QTest::newRow("Paused") << Paused << QStringLiteral("Paused") << false << true;
        QTest::newRow("Stopping") << Stopping << QStringLiteral("Stopping") << false << true;
        QTest::newRow("Retrying") << Retrying << QStringLiteral("Retrying") << false << true;
        QTest::newRow("Completed") << Completed << QStringLiteral("Completed") << true << false;
        QTest::newRow("Failed") << Failed << QStringLiteral("Failed") << true << false;
        QTest::newRow("TimedOut") << TimedOut << QStringLiteral("TimedOut") << true << false;
        QTest::newRow("Cancelled") << Cancelled << QStringLiteral("Cancelled") << true << false;
        QTest::newRow("Interrupted")
            << Interrupted << QStringLiteral("Interrupted") << true << false;
    }
    void names() {
        QFETCH(JobState, state);
        QFETCH(QString, name);
        QFETCH(bool, final);
        QFETCH(bool, active);
        QCOMPARE(jobmonitor::jobStateName(state), name);
        QCOMPARE(jobmonitor::isFinal(state), final);
        QCOMPARE(jobmonitor::isActive(state), active);
    }

    void eventNames_data() {
        QTest::addColumn<JobEvent>("event");
        QTest::addColumn<QString>("name");
        QTest::newRow("Launch") << E::Launch << QStringLiteral("Launch");
        QTest::newRow("LaunchFailed") << E::LaunchFailed << QStringLiteral("LaunchFailed");
        QTest::newRow("Exited") << E::Exited << QStringLiteral("Exited");
        QTest::newRow("ExitedWithError") << E::ExitedWithError << QStringLiteral("ExitedWithError");
        QTest::newRow("Lost") << E::Lost << QStringLiteral("Lost");
        QTest::newRow("Stop") << E::Stop << QStringLiteral("Stop");
        QTest::newRow("StoppedCancel") << E::StoppedCancel << QStringLiteral("StoppedCancel");
        QTest::newRow("StoppedTimeout") << E::StoppedTimeout << QStringLiteral("StoppedTimeout");
        QTest::newRow("ScheduleRetry") << E::ScheduleRetry << QStringLiteral("ScheduleRetry");
        QTest::newRow("Cancel") << E::Cancel << QStringLiteral("Cancel");
        QTest::newRow("Requeue") << E::Requeue << QStringLiteral("Requeue");
        QTest::newRow("Wait") << E::Wait << QStringLiteral("Wait");
        QTest::newRow("Ready") << E::Ready << QStringLiteral("Ready");
        QTest::newRow("Pause") << E::Pause << QStringLiteral("Pause");
        QTest::newRow("Resume") << E::Resume << QStringLiteral("Resume");
        QTest::newRow("Interrupt") << E::Interrupt << QStringLiteral("Interrupt");
        QTest::newRow("StoppedLimit") << E::StoppedLimit << QStringLiteral("StoppedLimit");
    }
    void eventNames() {
        QFETCH(JobEvent, event);
        QFETCH(QString, name);
        QCOMPARE(jobmonitor::jobEventName(event), name);
    }

    void stateListIsComplete() {
        QCOMPARE(jobmonitor::allJobStates(), expectedStates);
        QCOMPARE(allValues<JobState>(), expectedStates);
        QCOMPARE(QMetaEnum::fromType<JobEvent>().keyCount(), 17);
    }

    // The QML enum is generated from the same list; this proves what QML sees: the same keys
    // with the same values, and nothing else.
    void qmlEnumMatchesTheCore() {
        const QMetaEnum core = QMetaEnum::fromType<JobState>();
        const QMetaEnum qml = QMetaEnum::fromType<jobmonitor::qmlstate::Value>();
        QCOMPARE(qml.keyCount(), core.keyCount());
        for (int i = 0; i < core.keyCount(); ++i) {
            QCOMPARE(qml.key(i), core.key(i));
            QCOMPARE(qml.value(i), core.value(i));
        }
        QCOMPARE(
            QLatin1String(jobmonitor::qmlstate::staticMetaObject
                              .classInfo(jobmonitor::qmlstate::staticMetaObject.indexOfClassInfo(
                                  "QML.Element"))
                              .value()),
            QLatin1String("JobState"));
    }

    // Every state can be reached from Pending, and every state that is not final can reach a
    // final one: no job can be stuck by the table itself.
    void everyStateIsReachableAndCanEnd() {
        QSet<JobState> reached{Pending};
        for (bool grew = true; grew;) {
            grew = false;
            for (const Row &row : expectedTable)
                if (reached.contains(row.from) && !reached.contains(row.to)) {
                    reached.insert(row.to);
                    grew = true;
                }
        }
        QCOMPARE(reached.size(), expectedStates.size());
        for (JobState state : expectedStates) {
            QSet<JobState> from{state};
            for (bool grew = true; grew;) {
                grew = false;
                for (const Row &row : expectedTable)
                    if (from.contains(row.from) && !from.contains(row.to) &&
                        row.event != E::Requeue) {
                        from.insert(row.to);
                        grew = true;
                    }
            }
            const bool ends = std::any_of(from.cbegin(), from.cend(), jobmonitor::isFinal);
            QVERIFY2(ends, qPrintable(jobmonitor::jobStateName(state)));
        }
    }

    void tableHasExactlyTheSpecifiedRows() {
        const QList<jobmonitor::TransitionRule> &table = jobmonitor::transitionTable();
        QCOMPARE(&table, &jobmonitor::transitionTable());
        QCOMPARE(table.size(), expectedTable.size());
        for (const jobmonitor::TransitionRule &rule : table)
            QCOMPARE(expectedNext(rule.from, rule.event), std::optional(rule.to));
    }

    void appliesEveryRow_data() {
        QTest::addColumn<JobState>("from");
        QTest::addColumn<JobEvent>("event");
        QTest::addColumn<JobState>("to");
        for (const Row &row : expectedTable) {
            QTest::addRow("%s-%s", qPrintable(jobmonitor::jobStateName(row.from)),
                          qPrintable(jobmonitor::jobEventName(row.event)))
                << row.from << row.event << row.to;
        }
    }
    void appliesEveryRow() {
        QFETCH(JobState, from);
        QFETCH(JobEvent, event);
        QFETCH(JobState, to);
        QCOMPARE(jobmonitor::nextState(from, event), std::optional(to));

        JobStateMachine machine(QStringLiteral("job 1"));
        driveTo(machine, from);
        const qsizetype before = machine.history().size();
        QVERIFY(machine.apply(event, QStringLiteral("row"), 2));
        QCOMPARE(machine.state(), to);
        QCOMPARE(machine.history().size(), before + 1);
        QCOMPARE(machine.history().constLast().from, from);
        QCOMPARE(machine.history().constLast().to, to);
        QCOMPARE(machine.history().constLast().event, event);
    }

    void rejectsEveryOtherPair_data() {
        QTest::addColumn<JobState>("from");
        QTest::addColumn<JobEvent>("event");
        for (JobState from : allValues<JobState>()) {
            for (JobEvent event : allValues<JobEvent>()) {
                if (expectedNext(from, event))
                    continue;
                QTest::addRow("%s-%s", qPrintable(jobmonitor::jobStateName(from)),
                              qPrintable(jobmonitor::jobEventName(event)))
                    << from << event;
            }
        }
    }
    void rejectsEveryOtherPair() {
        QFETCH(JobState, from);
        QFETCH(JobEvent, event);
        QCOMPARE(jobmonitor::nextState(from, event), std::nullopt);

        JobStateMachine machine(QStringLiteral("job 7"));
        driveTo(machine, from);
        const QList<Transition> before = machine.history();
        QSignalSpy transitioned(&machine, &JobStateMachine::transitioned);
        m_log.str({});

        QVERIFY(!machine.apply(event, QStringLiteral("rejected"), 3, 1, 9));

        QCOMPARE(machine.state(), from);
        QCOMPARE(machine.history().size(), before.size());
        for (qsizetype i = 0; i < before.size(); ++i)
            compareTransitions(machine.history().at(i), before.at(i));
        QCOMPARE(transitioned.count(), 0);
        QCOMPARE(QString::fromStdString(m_log.str()),
                 QStringLiteral("warning job 7: rejected event %1 in state %2\n")
                     .arg(jobmonitor::jobEventName(event), jobmonitor::jobStateName(from)));
    }

    void historyRecordsEverything() {
        JobStateMachine machine(QStringLiteral("job 3"));
        const QDateTime start = QDateTime::currentDateTime();
        QVERIFY(machine.apply(E::Launch, QStringLiteral("started"), 1));
        QVERIFY(machine.apply(E::ScheduleRetry, QStringLiteral("exit code 3"), 1, 3));
        QVERIFY(machine.apply(E::Launch, QStringLiteral("started"), 2));
        QVERIFY(machine.apply(E::Stop, QStringLiteral("deadline 30 s"), 2));
        QVERIFY(machine.apply(E::StoppedTimeout, QStringLiteral("deadline 30 s"), 2, {}, 15));
        const QDateTime end = QDateTime::currentDateTime();

        const QList<Transition> &history = machine.history();
        QCOMPARE(history.size(), 5);
        const QList<Transition> expected{
            {Pending, Running, E::Launch, {}, QStringLiteral("started"), 1, {}, {}},
            {Running, Retrying, E::ScheduleRetry, {}, QStringLiteral("exit code 3"), 1, 3, {}},
            {Retrying, Running, E::Launch, {}, QStringLiteral("started"), 2, {}, {}},
            {Running, Stopping, E::Stop, {}, QStringLiteral("deadline 30 s"), 2, {}, {}},
            {Stopping, TimedOut, E::StoppedTimeout, {}, QStringLiteral("deadline 30 s"), 2, {}, 15},
        };
        for (qsizetype i = 0; i < history.size(); ++i) {
            QVERIFY(history.at(i).time >= start);
            QVERIFY(history.at(i).time <= end);
            if (i > 0)
                QVERIFY(history.at(i).time >= history.at(i - 1).time);
            Transition withTime = expected.at(i);
            withTime.time = history.at(i).time;
            compareTransitions(history.at(i), withTime);
        }
        QCOMPARE(machine.state(), TimedOut);
    }

    void transitionedCarriesTheTransition() {
        JobStateMachine machine(QStringLiteral("job 4"));
        QSignalSpy transitioned(&machine, &JobStateMachine::transitioned);
        QVERIFY(transitioned.isValid());
        m_log.str({});

        QVERIFY(machine.apply(E::LaunchFailed, QStringLiteral("no such directory"), 1, 127));

        QCOMPARE(transitioned.count(), 1);
        const auto transition = transitioned.at(0).at(0).value<Transition>();
        compareTransitions(transition, machine.history().constLast());
        QCOMPARE(transition.from, Pending);
        QCOMPARE(transition.to, Failed);
        QCOMPARE(transition.exitCode, 127);
        QVERIFY(QString::fromStdString(m_log.str()).startsWith(QStringLiteral("info job 4: ")));
    }

    void completedIsFinalForGood() {
        JobStateMachine machine(QStringLiteral("job 5"));
        driveTo(machine, Completed);
        for (JobEvent event : allValues<JobEvent>())
            QVERIFY(!machine.apply(event, QString(), 1));
        QCOMPARE(machine.state(), Completed);
    }

private:
    std::ostringstream m_log;
};

QTEST_GUILESS_MAIN(TestJobState)
#include "tst_jobstate.moc"
