#include "historylistmodel.h"

#include "appcontroller.h"
#include "jobformat.h"
#include "joblistmodel.h"
#include "jobservice.h"

namespace jobmonitor {

HistoryListModel::HistoryListModel(QObject *parent)
    : QAbstractListModel(parent) {}

void HistoryListModel::componentComplete() {
    if (m_service)
        return;
    if (AppController *app = AppController::of(this))
        setSources(app->service(), app->jobs());
}

void HistoryListModel::setSources(JobService *service, JobListModel *live) {
    beginResetModel();
    if (m_live)
        m_live->disconnect(this);
    if (m_service)
        m_service->disconnect(this);
    m_service = service;
    m_live = live;
    m_stored.clear();
    if (live) {
        // This run's rows are the live model's, at the same rows.
        connect(
            live, &QAbstractItemModel::rowsAboutToBeInserted, this,
            [this](const QModelIndex &, int first, int last) { beginInsertRows({}, first, last); });
        connect(live, &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex &, int first, int last) {
                    endInsertRows();
                    liveRowsInserted(first, last);
                });
        connect(
            live, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex &, int first, int last) { beginRemoveRows({}, first, last); });
        connect(live, &QAbstractItemModel::rowsRemoved, this, [this] { endRemoveRows(); });
        connect(live, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &from, const QModelIndex &to, const QList<int> &roles) {
                    Q_EMIT dataChanged(index(from.row()), index(to.row()), roles);
                });
    }
    if (service)
        connect(service, &JobService::jobRemoved, this, [this](qint64 id) {
            dropStored(id, true);
            Q_EMIT jobRemoved(id);
        });
    endResetModel();
    restart();
}

void HistoryListModel::setFilter(JobFilterModel::Filter filter) {
    if (filter == m_filter)
        return;
    m_filter = filter;
    restart();
    Q_EMIT queryChanged();
}

void HistoryListModel::setSearch(const QString &search) {
    if (search == m_search)
        return;
    m_search = search;
    restart();
    Q_EMIT queryChanged();
}

void HistoryListModel::setSince(const QDateTime &since) {
    if (since == m_since)
        return;
    m_since = since;
    restart();
    Q_EMIT queryChanged();
}

JobQuery HistoryListModel::query() const {
    JobQuery query;
    query.states = JobFilterModel::statesOf(m_filter);
    query.search = m_search;
    query.since = m_since;
    query.limit = PageSize;
    query.after = m_cursor;
    return query;
}

// The stored rows are read again from the first page; an answer to an older query is dropped.
void HistoryListModel::restart() {
    ++m_generation;
    if (!m_stored.isEmpty()) {
        beginRemoveRows({}, liveRows(), liveRows() + int(m_stored.size()) - 1);
        m_stored.clear();
        endRemoveRows();
    }
    m_cursor.reset();
    m_complete = !m_service;
    m_loading = false;
    Q_EMIT loadingChanged();
    fetchMore({});
}

bool HistoryListModel::canFetchMore(const QModelIndex &parent) const {
    return !parent.isValid() && m_service && !m_complete && !m_loading;
}

void HistoryListModel::fetchMore(const QModelIndex &parent) {
    if (!canFetchMore(parent))
        return;
    m_loading = true;
    Q_EMIT loadingChanged();
    m_service->history(query(), this, [this, generation = m_generation](QList<JobRecord> page) {
        takePage(generation, page);
    });
}

void HistoryListModel::takePage(quint64 generation, const QList<JobRecord> &page) {
    if (generation != m_generation)
        return;
    m_loading = false;
    m_complete = page.size() < PageSize;
    if (!page.isEmpty())
        m_cursor = JobQuery::cursorOf(page.constLast());
    QList<JobRecord> fresh;
    for (const JobRecord &record : page)
        if (!record.live && storedIndexOf(record.id) < 0)
            fresh.append(record);
    if (!fresh.isEmpty()) {
        const int first = liveRows() + int(m_stored.size());
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        m_stored.append(fresh);
        endInsertRows();
    }
    Q_EMIT loadingChanged();
}

int HistoryListModel::liveRows() const {
    return m_live ? m_live->rowCount() : 0;
}

int HistoryListModel::storedIndexOf(qint64 id) const {
    for (int i = 0; i < m_stored.size(); ++i)
        if (m_stored[i].id == id)
            return i;
    return -1;
}

void HistoryListModel::dropStored(qint64 id, bool onlyFinal) {
    const int i = storedIndexOf(id);
    // The store keeps a job that has not ended (another process runs it).
    if (i < 0 || (onlyFinal && !isFinal(m_stored[i].state)))
        return;
    const int row = liveRows() + i;
    beginRemoveRows({}, row, row);
    m_stored.removeAt(i);
    endRemoveRows();
}

// A stored job that runs again in this process under its id is listed once, as live.
void HistoryListModel::liveRowsInserted(int first, int last) {
    for (int row = first; row <= last; ++row)
        dropStored(m_live->index(row, 0).data(JobListModel::JobIdRole).toLongLong(), false);
}

int HistoryListModel::rowOf(qint64 jobId) const {
    const int live = m_live ? m_live->rowOf(jobId) : -1;
    if (live >= 0)
        return live;
    const int i = storedIndexOf(jobId);
    return i < 0 ? -1 : liveRows() + i;
}

int HistoryListModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : liveRows() + int(m_stored.size());
}

QVariant HistoryListModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (index.row() < liveRows())
        return m_live->index(index.row(), 0).data(role);
    const JobRecord &job = m_stored[index.row() - liveRows()];
    switch (JobListModel::Role(role)) {
    case JobListModel::JobIdRole:
        return job.id;
    case JobListModel::LabelRole:
        return job.label();
    case JobListModel::CommandRole:
        return job.spec.command;
    case JobListModel::StateRole:
        return int(job.state);
    case JobListModel::StateNameRole:
        return stateLabel(job.state);
    case JobListModel::AttemptRole:
        return job.attempts;
    case JobListModel::MaxAttemptsRole:
        return job.spec.maxAttempts;
    case JobListModel::ElapsedRole:
        return jobElapsedText(job, QDateTime::currentDateTime());
    case JobListModel::ResultRole:
        return jobResultText(job);
    case JobListModel::ActiveRole:
        return isActive(job.state);
    case JobListModel::FinalRole:
        return isFinal(job.state);
    case JobListModel::DeadlineRole:
        return 0.0;
    case JobListModel::CreatedAtRole:
        return job.createdAt;
    case JobListModel::StartedAtRole:
        return job.startedAt;
    case JobListModel::ResourcesRole:
    case JobListModel::EtaRole:
        return QString();
    case JobListModel::ProgressRole:
        return -1.0;
    case JobListModel::ProgressEstimatedRole:
        return false;
    case JobListModel::GroupRole:
        return job.spec.groupName();
    case JobListModel::PriorityRole:
        return job.spec.priority;
    case JobListModel::WaitReasonRole:
    case JobListModel::StartsInRole:
        return QString();
    case JobListModel::QueueKeyRole:
        return -1.0;
    case JobListModel::LiveRole:
        return false;
    }
    return {};
}

QHash<int, QByteArray> HistoryListModel::roleNames() const {
    return JobListModel::roles();
}

} // namespace jobmonitor
