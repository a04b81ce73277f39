// The headless mode's line writer with a real pipe: lines reach the reader as they are
// written, a reader that stops reading never makes write() wait, what does not fit is dropped
// and counted in a note that goes out, in its place, once the reader reads again, and at exit
// a stalled reader costs no more than the time finish() is given.
#include "linewriter.h"
#include "logging.h"

#include <QTest>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

QByteArray note(qint64 dropped) {
    return "dropped " + QByteArray::number(dropped) + "\n";
}

QByteArray line(int number) {
    return QByteArray("line ") + QByteArray::number(number).rightJustified(4, '0') + '\n';
}

struct Pipe {
    int read = -1;
    int write = -1;
    Pipe() {
        int ends[2];
        if (::pipe2(ends, O_CLOEXEC) == 0) {
            read = ends[0];
            write = ends[1];
        }
    }
    ~Pipe() {
        closeRead();
        if (write >= 0)
            ::close(write);
    }
    void closeRead() {
        if (read >= 0)
            ::close(read);
        read = -1;
    }
    // Fills the pipe to the brim (a stalled reader), without leaving it non-blocking.
    qsizetype fill() {
        const int flags = ::fcntl(write, F_GETFL);
        ::fcntl(write, F_SETFL, flags | O_NONBLOCK);
        const QByteArray chunk(4096, 'f');
        qsizetype total = 0;
        for (;;) {
            const ssize_t n = ::write(write, chunk.constData(), size_t(chunk.size()));
            if (n <= 0)
                break;
            total += n;
        }
        ::fcntl(write, F_SETFL, flags);
        return total;
    }
    // Reads exactly count bytes, or what arrived before the deadline.
    QByteArray readExactly(qsizetype count, std::chrono::milliseconds timeout) {
        QByteArray data;
        QDeadlineTimer deadline(timeout);
        while (data.size() < count && !deadline.hasExpired()) {
            pollfd readable{read, POLLIN, 0};
            if (::poll(&readable, 1, int(deadline.remainingTime())) <= 0)
                break;
            char buffer[65536];
            const ssize_t n = ::read(
                read, buffer, size_t(std::min<qsizetype>(count - data.size(), sizeof buffer)));
            if (n <= 0)
                break;
            data.append(buffer, n);
        }
        return data;
    }
};

} // namespace

class TestLineWriter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setupStderrLogging(spdlog::level::off); }

    void linesArriveAsWritten() {
        Pipe pipe;
        LineWriter writer(pipe.write, note);
        for (int i = 1; i <= 3; ++i) {
            writer.write(line(i));
            // Each line on its own, before the next is written.
            QCOMPARE(pipe.readExactly(line(i).size(), 30s), line(i));
        }
        QVERIFY(writer.finish(30s));
        QCOMPARE(writer.droppedLines(), 0);
    }

    // The bound counts what is queued and what is being written, so exactly as many lines as
    // fit are kept whenever the thread picks them up.
    void stalledReaderDropsAndCounts() {
        Pipe pipe;
        const qsizetype prefill = pipe.fill();
        QVERIFY(prefill > 0);
        const qsizetype lineSize = line(1).size(); // 10
        LineWriter writer(pipe.write, note, 10 * lineSize);
        for (int i = 1; i <= 30; ++i)
            writer.write(line(i)); // returns at once: the test would hang otherwise
        QCOMPARE(writer.droppedLines(), 20);

        QCOMPARE(pipe.readExactly(prefill, 30s).size(), prefill);
        QByteArray expected;
        for (int i = 1; i <= 10; ++i)
            expected += line(i);
        expected += note(20);
        QCOMPARE(pipe.readExactly(expected.size(), 30s), expected);
        // After the note, lines flow again.
        writer.write(line(31));
        QCOMPARE(pipe.readExactly(line(31).size(), 30s), line(31));
        QVERIFY(writer.finish(30s));
        QCOMPARE(writer.droppedLines(), 20);
    }

    // A line that fits again after drops goes out after the note about them, even while the
    // reader has not read yet.
    void noteComesBeforeLaterLines() {
        Pipe pipe;
        const qsizetype prefill = pipe.fill();
        LineWriter writer(pipe.write, note, 2 * line(1).size() + 5);
        writer.write(line(1));
        writer.write(line(2));
        writer.write(line(3)); // 30 bytes would not fit in 25
        writer.write("ok\n");  // 23 bytes do
        QCOMPARE(writer.droppedLines(), 1);
        QCOMPARE(pipe.readExactly(prefill, 30s).size(), prefill);
        const QByteArray expected = line(1) + line(2) + note(1) + "ok\n";
        QCOMPARE(pipe.readExactly(expected.size(), 30s), expected);
        QVERIFY(writer.finish(30s));
    }

    // At exit: drops without a later line still get their note.
    void finishWritesThePendingNote() {
        Pipe pipe;
        const qsizetype prefill = pipe.fill();
        LineWriter writer(pipe.write, note, line(1).size());
        writer.write(line(1));
        writer.write(line(2));
        QCOMPARE(pipe.readExactly(prefill, 30s).size(), prefill);
        QVERIFY(writer.finish(30s));
        QCOMPARE(pipe.readExactly(line(1).size() + note(1).size(), 30s), line(1) + note(1));
    }

    // finish() gives up after its time: the exit is never held by a reader that does not read.
    void finishGivesUpOnAStalledReader() {
        Pipe pipe;
        const qsizetype prefill = pipe.fill();
        auto writer = std::make_unique<LineWriter>(pipe.write, note);
        writer->write(line(1));
        QVERIFY(!writer->finish(50ms));
        writer.reset();
        // The abandoned thread still writes: reading lets its write complete. The descriptors
        // stay open, as the app's stdout does, since the thread may not have left write(2).
        QCOMPARE(pipe.readExactly(prefill + line(1).size(), 30s).right(line(1).size()), line(1));
        pipe.read = pipe.write = -1;
    }

    // A reader that has gone: no SIGPIPE for the process, and everything after counts as
    // dropped.
    void readerGone() {
        Pipe pipe;
        pipe.closeRead();
        LineWriter writer(pipe.write, note);
        writer.write(line(1));
        QVERIFY(!writer.finish(30s));
        writer.write(line(2));
        QCOMPARE(writer.droppedLines(), 2);
        sigset_t pending;
        ::sigpending(&pending);
        QVERIFY(!::sigismember(&pending, SIGPIPE));
    }
};

QTEST_GUILESS_MAIN(TestLineWriter)
#include "tst_linewriter.moc"
