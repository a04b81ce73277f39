#pragma once

#include <QList>
#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

class JobFilterModel;

// The jobs the user has selected in the list, by id: a job stays selected while a filter
// hides it or the order moves it, and rows can come and go under the selection without
// changing what the bulk actions act on. Shift extends from the anchor (the last job picked
// alone or with Ctrl) over the rows of the list as shown.
class JobSelection : public QObject {
    Q_OBJECT
    QML_ELEMENT
    // The selected ids in the order they were selected.
    Q_PROPERTY(QList<int> ids READ ids NOTIFY changed)
    Q_PROPERTY(int count READ count NOTIFY changed)
public:
    explicit JobSelection(QObject *parent = nullptr);

    QList<int> ids() const { return m_ids; }
    int count() const { return int(m_ids.size()); }

    Q_INVOKABLE bool contains(int jobId) const { return m_ids.contains(jobId); }
    // Only this job (a plain click or arrow key); it becomes the anchor.
    Q_INVOKABLE void select(int jobId);
    // Adds or removes this job (Ctrl+click); it becomes the anchor.
    Q_INVOKABLE void toggle(int jobId);
    // The rows from the anchor to this job, as the list shows them (Shift+click, Shift+arrow).
    Q_INVOKABLE void extendTo(jobmonitor::JobFilterModel *list, int jobId);
    // Every job the list shows (Ctrl+A).
    Q_INVOKABLE void selectAll(jobmonitor::JobFilterModel *list);
    // Forgets a job that no longer exists.
    Q_INVOKABLE void remove(int jobId);
    Q_INVOKABLE void clear();

Q_SIGNALS:
    void changed();

private:
    void set(const QList<int> &ids);

    QList<int> m_ids;
    int m_anchor = -1;
};

} // namespace jobmonitor
