#pragma once

#include "jobstate.h"

#include <QDateTime>
#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

// The job list seen through the state filter, the text search, the date and the order the
// window offers. A job moves in or out of view, or to its place in the order, as soon as its
// state changes. Over the history (HistoryListModel) the store applies the same filters to
// the stored jobs, and the order applies to the jobs read so far.
class JobFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(Filter filter READ filter WRITE setFilter NOTIFY filterChanged)
    Q_PROPERTY(Order order READ order WRITE setOrder NOTIFY orderChanged)
    // A substring of the command or the name, any case; empty: every job.
    Q_PROPERTY(QString search READ search WRITE setSearch NOTIFY searchChanged)
    // Jobs created at or after; invalid: any time.
    Q_PROPERTY(QDateTime since READ since WRITE setSince NOTIFY sinceChanged)
    // Only the jobs of this group; empty: every group.
    Q_PROPERTY(QString group READ group WRITE setGroup NOTIFY groupChanged)
    // Jobs in view.
    Q_PROPERTY(int count READ count NOTIFY countChanged)
public:
    enum class Filter {
        All,
        Active,   // not yet ended: Pending, Running, Stopping, Retrying
        Failed,   // Failed, TimedOut or Interrupted
        Finished, // any final state
        Running,  // a process runs: Running or Stopping
    };
    Q_ENUM(Filter)
    enum class Order {
        Newest,  // newest first, the source's order
        State,   // running, stopping, retrying, queued, then failed, timed out, cancelled,
                 // completed; newest first within each
        Started, // queued ones first (they start next), then the latest started first
        Queue,   // jobs waiting for a slot in their queues' order (next to start first), then
                 // the rest newest first
    };
    Q_ENUM(Order)

    explicit JobFilterModel(QObject *parent = nullptr);

    // The states a filter shows; empty for All.
    static QList<JobState> statesOf(Filter filter);

    Filter filter() const { return m_filter; }
    void setFilter(Filter filter);
    Order order() const { return m_order; }
    void setOrder(Order order);
    QString group() const { return m_group; }
    void setGroup(const QString &group);
    int count() const { return rowCount(); }
    QString search() const { return m_search; }
    void setSearch(const QString &search);
    QDateTime since() const { return m_since; }
    void setSince(const QDateTime &since);

    // Row in this model of the job with this id, or -1.
    Q_INVOKABLE int rowOf(int jobId) const;
    // Job id at a row of this model, or -1.
    Q_INVOKABLE int jobIdAt(int row) const;
    // Every job id in view, in row order.
    Q_INVOKABLE QList<int> jobIds() const;

Q_SIGNALS:
    void filterChanged();
    void orderChanged();
    void groupChanged();
    void countChanged();
    void searchChanged();
    void sinceChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    Filter m_filter = Filter::All;
    Order m_order = Order::Newest;
    QString m_search;
    QDateTime m_since;
    QString m_group;
};

} // namespace jobmonitor
