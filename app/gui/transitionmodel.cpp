#include "transitionmodel.h"

#include "jobformat.h"

namespace jobmonitor {

TransitionModel::TransitionModel(QObject *parent)
    : QAbstractListModel(parent) {}

void TransitionModel::setHistory(const QList<Transition> &history) {
    beginResetModel();
    m_history = history;
    endResetModel();
}

void TransitionModel::append(const Transition &transition) {
    const int row = int(m_history.size());
    beginInsertRows({}, row, row);
    m_history.append(transition);
    endInsertRows();
}

int TransitionModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_history.size());
}

QVariant TransitionModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Transition &t = m_history[index.row()];
    switch (Role(role)) {
    case FromRole:
        return int(t.from);
    case ToRole:
        return int(t.to);
    case FromNameRole:
        return stateLabel(t.from);
    case ToNameRole:
        return stateLabel(t.to);
    case EventNameRole:
        return jobEventName(t.event);
    case TimeRole:
        return t.time;
    case TimeTextRole:
        return t.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case ReasonRole:
        return t.reason;
    case AttemptRole:
        return t.attempt;
    }
    return {};
}

QHash<int, QByteArray> TransitionModel::roleNames() const {
    return {
        {FromRole, "from"},           {ToRole, "to"},
        {FromNameRole, "fromName"},   {ToNameRole, "toName"},
        {EventNameRole, "eventName"}, {TimeRole, "time"},
        {TimeTextRole, "timeText"},   {ReasonRole, "reason"},
        {AttemptRole, "attempt"},
    };
}

} // namespace jobmonitor
