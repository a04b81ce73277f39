#include "dbusprotocol.h"

#include "clientcommands.h"

#include <QDBusArgument>
#include <QDBusMetaType>
#include <QJsonValue>

#include <algorithm>
#include <limits>

namespace jobmonitor::dbus {

namespace {

// Containers inside a variant arrive as a QDBusArgument: the plain values, recursively.
QVariant demarshalled(const QVariant &value) {
    if (value.userType() != qMetaTypeId<QDBusArgument>())
        return value;
    const QDBusArgument argument = value.value<QDBusArgument>();
    if (argument.currentSignature() == QLatin1String("a{ss}")) {
        QVariantMap map;
        for (const auto &[key, text] :
             qdbus_cast<QMap<QString, QString>>(argument).asKeyValueRange())
            map.insert(key, text);
        return map;
    }
    if (argument.currentSignature() == QLatin1String("ax")) {
        QVariantList ids;
        for (const qlonglong id : qdbus_cast<QList<qlonglong>>(argument))
            ids.append(id);
        return ids;
    }
    if (argument.currentType() == QDBusArgument::MapType) {
        QVariantMap map = qdbus_cast<QVariantMap>(argument);
        for (QVariant &entry : map)
            entry = demarshalled(entry);
        return map;
    }
    QVariantList list = qdbus_cast<QVariantList>(argument);
    for (QVariant &entry : list)
        entry = demarshalled(entry);
    return list;
}

bool isInteger(const QVariant &value) {
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::UChar:
        return true;
    default:
        return false;
    }
}

} // namespace

void registerTypes() {
    qDBusRegisterMetaType<QList<QVariantMap>>();
    qDBusRegisterMetaType<QMap<QString, QString>>();
    qDBusRegisterMetaType<QList<qlonglong>>();
}

QVariantMap specToMap(const JobSpec &spec, bool terminationGiven) {
    QVariantMap map{{QStringLiteral("command"), spec.command}};
    if (!spec.name.isEmpty())
        map.insert(QStringLiteral("name"), spec.name);
    if (!spec.workingDirectory.isEmpty())
        map.insert(QStringLiteral("workingDirectory"), spec.workingDirectory);
    if (!spec.environment.isEmpty())
        map.insert(QStringLiteral("environment"), QVariant::fromValue(spec.environment));
    const JobSpec defaults;
    if (spec.timeout != defaults.timeout)
        map.insert(QStringLiteral("timeoutMs"), qlonglong(spec.timeout.count()));
    if (spec.timeoutAuto)
        map.insert(QStringLiteral("timeoutAuto"), true);
    if (spec.maxAttempts != defaults.maxAttempts)
        map.insert(QStringLiteral("maxAttempts"), spec.maxAttempts);
    if (terminationGiven || spec.termination != defaults.termination)
        map.insert(QStringLiteral("termination"), spec.termination.toString());
    if (spec.memoryLimitBytes > 0)
        map.insert(QStringLiteral("memoryLimitBytes"), qlonglong(spec.memoryLimitBytes));
    if (spec.niceness)
        map.insert(QStringLiteral("nice"), *spec.niceness);
    if (spec.ioPriority)
        map.insert(QStringLiteral("ioPriority"), spec.ioPriority->toString());
    if (!spec.progressPattern.isEmpty())
        map.insert(QStringLiteral("progressPattern"), spec.progressPattern);
    if (!spec.group.isEmpty())
        map.insert(QStringLiteral("group"), spec.group);
    if (spec.priority != 0)
        map.insert(QStringLiteral("priority"), spec.priority);
    if (spec.startAt.isValid())
        map.insert(QStringLiteral("startAt"), spec.startAt.toUTC().toString(Qt::ISODateWithMs));
    QList<qlonglong> after;
    QList<qlonglong> afterAny;
    for (const JobDependency &dependency : spec.dependencies)
        (dependency.condition == JobDependency::Condition::Success ? after : afterAny)
            .append(dependency.jobId);
    if (!after.isEmpty())
        map.insert(QStringLiteral("after"), QVariant::fromValue(after));
    if (!afterAny.isEmpty())
        map.insert(QStringLiteral("afterAny"), QVariant::fromValue(afterAny));
    return map;
}

std::optional<JobSpec> specFromMap(const QVariantMap &map, QString *error) {
    JobSpec spec;
    const auto wrongType = [error](const QString &key, const char *expected) {
        *error = QStringLiteral("spec: '%1' must be %2").arg(key, QLatin1String(expected));
        return std::nullopt;
    };
    if (!map.contains(QStringLiteral("command"))) {
        *error = QStringLiteral("spec: 'command' is missing");
        return std::nullopt;
    }
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        const QString &key = it.key();
        const QVariant value = demarshalled(it.value());
        const bool isString = value.typeId() == QMetaType::QString;
        if (key == QLatin1String("command") || key == QLatin1String("name") ||
            key == QLatin1String("workingDirectory") || key == QLatin1String("termination") ||
            key == QLatin1String("ioPriority") || key == QLatin1String("progressPattern") ||
            key == QLatin1String("group") || key == QLatin1String("startAt")) {
            if (!isString)
                return wrongType(key, "a string (s)");
            if (key == QLatin1String("command")) {
                spec.command = value.toString();
            } else if (key == QLatin1String("name")) {
                spec.name = value.toString();
            } else if (key == QLatin1String("workingDirectory")) {
                spec.workingDirectory = value.toString();
            } else if (key == QLatin1String("progressPattern")) {
                spec.progressPattern = value.toString();
            } else if (key == QLatin1String("group")) {
                spec.group = value.toString();
            } else if (key == QLatin1String("startAt")) {
                spec.startAt = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
                if (!spec.startAt.isValid()) {
                    *error = QStringLiteral("spec: 'startAt' must be a time in ISO 8601, like "
                                            "2026-12-02T03:00:00Z");
                    return std::nullopt;
                }
            } else if (key == QLatin1String("ioPriority")) {
                QString priorityError;
                const std::optional<IoPriority> priority =
                    IoPriority::parse(value.toString(), &priorityError);
                if (!priority) {
                    *error = QStringLiteral("spec: 'ioPriority': ") + priorityError;
                    return std::nullopt;
                }
                spec.ioPriority = priority;
            } else {
                QString sequenceError;
                const std::optional<TerminationSequence> sequence =
                    TerminationSequence::parse(value.toString(), &sequenceError);
                if (!sequence) {
                    *error = sequenceError;
                    return std::nullopt;
                }
                spec.termination = *sequence;
            }
        } else if (key == QLatin1String("environment")) {
            if (value.typeId() != QMetaType::QVariantMap)
                return wrongType(key, "a dictionary of strings (a{ss})");
            const QVariantMap environment = value.toMap();
            for (auto entry = environment.cbegin(); entry != environment.cend(); ++entry) {
                if (entry.value().typeId() != QMetaType::QString)
                    return wrongType(key, "a dictionary of strings (a{ss})");
                spec.environment.insert(entry.key(), entry.value().toString());
            }
        } else if (key == QLatin1String("timeoutMs") || key == QLatin1String("maxAttempts") ||
                   key == QLatin1String("memoryLimitBytes") || key == QLatin1String("nice") ||
                   key == QLatin1String("priority")) {
            if (!isInteger(value))
                return wrongType(key, "an integer");
            bool ok = false;
            const qlonglong number = value.toLongLong(&ok);
            if (key == QLatin1String("priority")) {
                // Beyond int it only has to stay beyond the limit, which validate() names.
                spec.priority = int(std::clamp<qlonglong>(number, std::numeric_limits<int>::min(),
                                                          std::numeric_limits<int>::max()));
                continue;
            }
            if (key == QLatin1String("nice")) {
                // Beyond int it only has to stay beyond the limit, which validate() names.
                spec.niceness = int(std::clamp<qlonglong>(number, std::numeric_limits<int>::min(),
                                                          std::numeric_limits<int>::max()));
                continue;
            }
            if (!ok || number < 0)
                return wrongType(key, "an integer, 0 or more");
            if (key == QLatin1String("memoryLimitBytes"))
                spec.memoryLimitBytes = number;
            else if (key == QLatin1String("timeoutMs"))
                spec.timeout = milliseconds(number);
            else // beyond int it only has to stay beyond the limit, which validate() names
                spec.maxAttempts =
                    int(std::min<qlonglong>(number, std::numeric_limits<int>::max()));
        } else if (key == QLatin1String("after") || key == QLatin1String("afterAny")) {
            if (value.typeId() != QMetaType::QVariantList)
                return wrongType(key, "an array of job ids (ax)");
            for (const QVariant &id : value.toList()) {
                if (!isInteger(id))
                    return wrongType(key, "an array of job ids (ax)");
                spec.dependencies.append({id.toLongLong(), key == QLatin1String("after")
                                                               ? JobDependency::Condition::Success
                                                               : JobDependency::Condition::AnyEnd});
            }
        } else if (key == QLatin1String("timeoutAuto")) {
            if (value.typeId() != QMetaType::Bool)
                return wrongType(key, "a boolean (b)");
            spec.timeoutAuto = value.toBool();
        } else {
            *error = QStringLiteral("spec: unknown key '%1'").arg(key);
            return std::nullopt;
        }
    }
    return spec;
}

QVariantMap recordToMap(const JobRecord &record) {
    QVariantMap map;
    const QJsonObject json = jobRecordJson(record);
    for (auto it = json.begin(); it != json.end(); ++it)
        if (!it.value().isNull())
            map.insert(it.key(), it.value().toVariant());
    return map;
}

QJsonObject recordJsonFromMap(const QVariantMap &map) {
    QVariantMap plain;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        plain.insert(it.key(), demarshalled(it.value()));
    QJsonObject json = QJsonObject::fromVariantMap(plain);
    // The fields `history --json` writes as null when unknown are those of a record that
    // knows nothing.
    const QJsonObject unknown = jobRecordJson(JobRecord{});
    for (auto it = unknown.begin(); it != unknown.end(); ++it)
        if (it.value().isNull() && !json.contains(it.key()))
            json.insert(it.key(), QJsonValue());
    return json;
}

} // namespace jobmonitor::dbus
