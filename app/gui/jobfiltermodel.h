#pragma once

#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

// The job list seen through the state filter the window offers. Rows keep the source order
// (newest first); a job moves in or out of view as soon as its state changes.
class JobFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(Filter filter READ filter WRITE setFilter NOTIFY filterChanged)
public:
    enum class Filter {
        All,
        Active,   // not yet ended: Pending, Running, Stopping, Retrying
        Failed,   // Failed or TimedOut
        Finished, // any final state
    };
    Q_ENUM(Filter)

    explicit JobFilterModel(QObject *parent = nullptr);

    Filter filter() const { return m_filter; }
    void setFilter(Filter filter);

    // Row in this model of the job with this id, or -1.
    Q_INVOKABLE int rowOf(qint64 jobId) const;
    // Job id at a row of this model, or -1.
    Q_INVOKABLE qint64 jobIdAt(int row) const;

Q_SIGNALS:
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Filter m_filter = Filter::All;
};

} // namespace jobmonitor
