#include "memoryguard.h"

#include "scheduler.h"

#include <QFile>

namespace jobmonitor {

namespace {

constexpr int PollIntervalMs = 1000;

} // namespace

MemoryGuard::MemoryGuard(std::shared_ptr<Scheduler> scheduler, qint64 thresholdBytes,
                         QString meminfoPath, QObject *parent)
    : QObject(parent)
    , m_scheduler(std::move(scheduler))
    , m_threshold(thresholdBytes)
    , m_path(std::move(meminfoPath))
    , m_available(readAvailable(m_path)) {
    m_timer.setInterval(PollIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &MemoryGuard::poll);
    // Read again only while it holds jobs back: otherwise each start finds the figure fresh
    // enough, as the scheduler asks and the timer runs again.
    connect(m_scheduler.get(), &Scheduler::heldByGateChanged, this, [this](bool held) {
        if (held)
            m_timer.start();
        else
            m_timer.stop();
    });
    m_scheduler->setStartGate([this] {
        if (!m_timer.isActive())
            m_available = readAvailable(m_path);
        return isOpen();
    });
}

MemoryGuard::~MemoryGuard() {
    m_scheduler->setStartGate({});
}

bool MemoryGuard::isOpen() const {
    return !m_available || *m_available >= m_threshold;
}

void MemoryGuard::poll() {
    m_available = readAvailable(m_path);
    if (isOpen())
        m_scheduler->gateChanged();
}

std::optional<qint64> MemoryGuard::readAvailable(const QString &meminfoPath) {
    QFile file(meminfoPath);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    // "MemAvailable:   12345678 kB"
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (!line.startsWith("MemAvailable:"))
            continue;
        const QList<QByteArray> fields = line.mid(13).simplified().split(' ');
        bool ok = false;
        const qint64 kib = fields.value(0).toLongLong(&ok);
        if (!ok || kib < 0 || fields.value(1) != "kB")
            return std::nullopt;
        return kib * 1024;
    }
    return std::nullopt;
}

} // namespace jobmonitor
