#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <optional>

namespace jobmonitor {

class Scheduler;

// Holds new jobs back while the machine is short of memory, like GNU parallel's --memfree: no
// job starts while MemAvailable (/proc/meminfo) is below the threshold. Running jobs are left
// alone (a job's own limit is what stops one). The scheduler asks it before each start; the
// figure is read once a second while jobs wait (a read of one small file), so a start never
// waits on it.
class MemoryGuard : public QObject {
    Q_OBJECT
public:
    // meminfoPath: another file of the same form (tests).
    MemoryGuard(std::shared_ptr<Scheduler> scheduler, qint64 thresholdBytes,
                QString meminfoPath = QStringLiteral("/proc/meminfo"), QObject *parent = nullptr);
    ~MemoryGuard() override;

    qint64 threshold() const { return m_threshold; }
    // Jobs may start: enough memory, or the figure cannot be read (never hold jobs forever on
    // a machine that does not say).
    bool isOpen() const;
    // As last read; nullopt when it cannot be.
    std::optional<qint64> availableBytes() const { return m_available; }

    // MemAvailable of a meminfo file, in bytes.
    static std::optional<qint64> readAvailable(const QString &meminfoPath);

private:
    void poll();

    std::shared_ptr<Scheduler> m_scheduler;
    const qint64 m_threshold;
    const QString m_path;
    std::optional<qint64> m_available;
    QTimer m_timer;
};

} // namespace jobmonitor
