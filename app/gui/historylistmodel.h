#pragma once

#include "jobfiltermodel.h"
#include "jobrecord.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QPointer>
#include <QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

#include <optional>

namespace jobmonitor {

class JobListModel;
class JobService;

// The job list with the history: this run's jobs on top (the rows of App.jobs, live), then
// the stored jobs of every earlier run and of other processes, newest first. Stored jobs are
// read from the store a page at a time, on its worker thread, when the view asks for more
// (canFetchMore / fetchMore), so 100 000 stored jobs open as fast as 10. The store does the
// filtering (states, text, date), so a filter that matches few jobs never walks them all in
// memory. A job is listed once: a stored job that becomes live (the queue of the last session
// started again) leaves the stored rows, and a live job never enters them.
//
// The roles are JobListModel's, so the same filter model, selection and delegates serve.
class HistoryListModel : public QAbstractListModel, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(
        jobmonitor::JobFilterModel::Filter filter READ filter WRITE setFilter NOTIFY queryChanged)
    // A substring of the command or the name, any case; empty: every job.
    Q_PROPERTY(QString search READ search WRITE setSearch NOTIFY queryChanged)
    // Jobs created at or after; invalid: any time.
    Q_PROPERTY(QDateTime since READ since WRITE setSince NOTIFY queryChanged)
    // A page is being read from the store.
    Q_PROPERTY(bool loading READ isLoading NOTIFY loadingChanged)
    // Every stored job that matches has been read.
    Q_PROPERTY(bool complete READ isComplete NOTIFY loadingChanged)
public:
    static constexpr int PageSize = 100;

    explicit HistoryListModel(QObject *parent = nullptr);

    // The service and this run's jobs; found through the engine's App when not set.
    void setSources(JobService *service, JobListModel *live);

    JobFilterModel::Filter filter() const { return m_filter; }
    void setFilter(JobFilterModel::Filter filter);
    QString search() const { return m_search; }
    void setSearch(const QString &search);
    QDateTime since() const { return m_since; }
    void setSince(const QDateTime &since);
    bool isLoading() const { return m_loading; }
    bool isComplete() const { return m_complete; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // Row of the job with this id, or -1.
    Q_INVOKABLE int rowOf(qint64 jobId) const;

    void classBegin() override {}
    void componentComplete() override;

Q_SIGNALS:
    void queryChanged();
    void loadingChanged();
    // A job was removed (this run's or a stored one), not only taken off the rows while the
    // stored jobs are read again: a view forgets it then, and only then.
    void jobRemoved(qint64 jobId);

private:
    int liveRows() const;
    JobQuery query() const;
    void restart();
    void takePage(quint64 generation, const QList<JobRecord> &page);
    int storedIndexOf(qint64 id) const;
    void dropStored(qint64 id, bool onlyFinal);
    void liveRowsInserted(int first, int last);

    QPointer<JobService> m_service;
    QPointer<JobListModel> m_live;
    JobFilterModel::Filter m_filter = JobFilterModel::Filter::All;
    QString m_search;
    QDateTime m_since;
    QList<JobRecord> m_stored; // newest first, never a job of this run
    std::optional<JobQuery::Cursor> m_cursor;
    quint64 m_generation = 0; // a page asked for under an older query is dropped
    bool m_loading = false;
    bool m_complete = false;
};

} // namespace jobmonitor
