#include "jobselection.h"

#include "jobfiltermodel.h"

namespace jobmonitor {

JobSelection::JobSelection(QObject *parent)
    : QObject(parent) {}

void JobSelection::set(const QList<int> &ids) {
    if (ids == m_ids)
        return;
    m_ids = ids;
    Q_EMIT changed();
}

void JobSelection::select(int jobId) {
    m_anchor = jobId;
    set({jobId});
}

void JobSelection::toggle(int jobId) {
    m_anchor = jobId;
    QList<int> ids = m_ids;
    if (!ids.removeOne(jobId))
        ids.append(jobId);
    set(ids);
}

void JobSelection::extendTo(JobFilterModel *list, int jobId) {
    const int to = list ? list->rowOf(jobId) : -1;
    const int from = list ? list->rowOf(m_anchor) : -1;
    if (to < 0 || from < 0) {
        // The anchor is gone or hidden: start afresh from this job.
        select(jobId);
        return;
    }
    QList<int> ids;
    const int step = to >= from ? 1 : -1;
    for (int row = from;; row += step) {
        ids.append(list->jobIdAt(row));
        if (row == to)
            break;
    }
    set(ids);
}

void JobSelection::selectAll(JobFilterModel *list) {
    if (list)
        set(list->jobIds());
}

void JobSelection::remove(int jobId) {
    QList<int> ids = m_ids;
    if (ids.removeOne(jobId))
        set(ids);
    if (m_anchor == jobId)
        m_anchor = -1;
}

void JobSelection::clear() {
    m_anchor = -1;
    set({});
}

} // namespace jobmonitor
