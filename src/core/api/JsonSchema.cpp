#include "JsonSchema.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace moonpane::JsonSchema {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("JsonSchema", text);
}

QString typeOf(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"boolean"_s;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        return std::floor(d) == d && std::isfinite(d) ? u"integer"_s : u"number"_s;
    }
    case QJsonValue::String:
        return u"string"_s;
    case QJsonValue::Array:
        return u"array"_s;
    case QJsonValue::Object:
        return u"object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"undefined"_s;
}

bool typeMatches(const QString &actual, const QString &wanted)
{
    return actual == wanted || (wanted == "number"_L1 && actual == "integer"_L1);
}

QString where(const QString &path)
{
    return path.isEmpty() ? tr("the arguments") : path;
}

QString child(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

void checkInto(const QJsonValue &value, const QJsonObject &schema, const QString &path, QStringList *problems,
               int depth)
{
    if (depth > 64) // a schema nested this deep is not a tool's; stop rather than recurse forever
        return;
    const QString actual = typeOf(value);
    const QJsonValue type = schema.value("type"_L1);
    if (type.isString() || type.isArray()) {
        QStringList wanted;
        if (type.isString())
            wanted.append(type.toString());
        for (const QJsonValue &t : type.toArray())
            wanted.append(t.toString());
        const bool matches = std::any_of(wanted.cbegin(), wanted.cend(),
                                         [&](const QString &w) { return typeMatches(actual, w); });
        if (!matches) {
            problems->append(tr("%1 should be %2, not %3").arg(where(path), wanted.join(tr(" or ")), actual));
            return; // what follows would only repeat it
        }
    }
    if (const QJsonValue e = schema.value("enum"_L1); e.isArray() && !e.toArray().contains(value)) {
        QStringList allowed;
        for (const QJsonValue &v : e.toArray())
            allowed.append(QString::fromUtf8(QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact))
                               .mid(1)
                               .chopped(1));
        problems->append(tr("%1 should be one of %2").arg(where(path), allowed.join(u", "_s)));
    }
    if (schema.contains("const"_L1) && schema.value("const"_L1) != value)
        problems->append(tr("%1 has a value the schema does not allow").arg(where(path)));

    for (const auto &[keyword, any] :
         {std::pair {"anyOf"_L1, true}, std::pair {"oneOf"_L1, true}, std::pair {"allOf"_L1, false}}) {
        const QJsonArray options = schema.value(keyword).toArray();
        if (options.isEmpty())
            continue;
        int passed = 0;
        QStringList all;
        for (const QJsonValue &option : options) {
            QStringList these;
            checkInto(value, option.toObject(), path, &these, depth + 1);
            passed += these.isEmpty() ? 1 : 0;
            all += these;
        }
        if (any && passed == 0)
            problems->append(tr("%1 matches none of the schema's alternatives").arg(where(path)));
        else if (!any)
            *problems += all;
    }

    if (value.isDouble()) {
        const double d = value.toDouble();
        if (schema.value("minimum"_L1).isDouble() && d < schema.value("minimum"_L1).toDouble())
            problems->append(
                tr("%1 should be at least %2").arg(where(path)).arg(schema.value("minimum"_L1).toDouble()));
        if (schema.value("maximum"_L1).isDouble() && d > schema.value("maximum"_L1).toDouble())
            problems->append(
                tr("%1 should be at most %2").arg(where(path)).arg(schema.value("maximum"_L1).toDouble()));
        if (schema.value("exclusiveMinimum"_L1).isDouble()
            && d <= schema.value("exclusiveMinimum"_L1).toDouble())
            problems->append(tr("%1 should be more than %2")
                                 .arg(where(path))
                                 .arg(schema.value("exclusiveMinimum"_L1).toDouble()));
        if (schema.value("exclusiveMaximum"_L1).isDouble()
            && d >= schema.value("exclusiveMaximum"_L1).toDouble())
            problems->append(tr("%1 should be less than %2")
                                 .arg(where(path))
                                 .arg(schema.value("exclusiveMaximum"_L1).toDouble()));
    } else if (value.isString()) {
        const QString s = value.toString();
        const qsizetype length = s.toUcs4().size();
        if (schema.value("minLength"_L1).isDouble() && length < schema.value("minLength"_L1).toInteger())
            problems->append(tr("%1 should be at least %2 characters long")
                                 .arg(where(path))
                                 .arg(schema.value("minLength"_L1).toInteger()));
        if (schema.value("maxLength"_L1).isDouble() && length > schema.value("maxLength"_L1).toInteger())
            problems->append(tr("%1 should be at most %2 characters long")
                                 .arg(where(path))
                                 .arg(schema.value("maxLength"_L1).toInteger()));
        if (const QString pattern = schema.value("pattern"_L1).toString(); !pattern.isEmpty()) {
            const QRegularExpression re(pattern);
            if (re.isValid() && !re.match(s).hasMatch())
                problems->append(tr("%1 does not match the pattern %2").arg(where(path), pattern));
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (schema.value("minItems"_L1).isDouble() && array.size() < schema.value("minItems"_L1).toInteger())
            problems->append(tr("%1 should have at least %2 items")
                                 .arg(where(path))
                                 .arg(schema.value("minItems"_L1).toInteger()));
        if (schema.value("maxItems"_L1).isDouble() && array.size() > schema.value("maxItems"_L1).toInteger())
            problems->append(tr("%1 should have at most %2 items")
                                 .arg(where(path))
                                 .arg(schema.value("maxItems"_L1).toInteger()));
        if (const QJsonValue items = schema.value("items"_L1); items.isObject()) {
            for (qsizetype i = 0; i < array.size(); ++i)
                checkInto(array.at(i), items.toObject(), u"%1[%2]"_s.arg(path).arg(i), problems, depth + 1);
        }
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        const QJsonObject properties = schema.value("properties"_L1).toObject();
        for (const QJsonValue &required : schema.value("required"_L1).toArray()) {
            if (!object.contains(required.toString()))
                problems->append(tr("%1 is missing (required)").arg(child(path, required.toString())));
        }
        const QJsonValue additional = schema.value("additionalProperties"_L1);
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (properties.contains(it.key()))
                checkInto(it.value(), properties.value(it.key()).toObject(), child(path, it.key()), problems,
                          depth + 1);
            else if (additional.isBool() && !additional.toBool())
                problems->append(tr("%1 is not a property the schema knows").arg(child(path, it.key())));
            else if (additional.isObject())
                checkInto(it.value(), additional.toObject(), child(path, it.key()), problems, depth + 1);
        }
    }
}

void checkTyped(const QJsonObject &schema, const QString &path, QStringList *problems, int depth)
{
    if (depth > 64)
        return;
    const QJsonObject properties = schema.value("properties"_L1).toObject();
    for (auto it = properties.constBegin(); it != properties.constEnd(); ++it) {
        const QJsonObject property = it.value().toObject();
        const QString at = child(path, it.key());
        if (!it.value().isObject()) {
            problems->append(tr("parameters: %1 must be a schema object").arg(at));
            continue;
        }
        const bool alternatives = property.contains("anyOf"_L1) || property.contains("oneOf"_L1)
            || property.contains("allOf"_L1) || property.contains("$ref"_L1);
        if (!property.contains("type"_L1) && !alternatives)
            problems->append(tr("parameters: %1 has no \"type\" (Kimi rejects such a schema)").arg(at));
        checkTyped(property, at, problems, depth + 1);
        if (property.value("items"_L1).isObject())
            checkTyped(property.value("items"_L1).toObject(), at + u"[]"_s, problems, depth + 1);
    }
}

} // namespace

QStringList check(const QJsonValue &value, const QJsonObject &schema)
{
    QStringList problems;
    checkInto(value, schema, {}, &problems, 0);
    return problems;
}

QStringList checkArguments(const QString &arguments, const QJsonObject &schema)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(arguments.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return {tr("the arguments are not valid JSON: %1 at character %2")
                    .arg(error.errorString())
                    .arg(error.offset)};
    if (!document.isObject())
        return {tr("the arguments are not a JSON object")};
    return check(document.object(), schema);
}

QStringList checkParameters(const QJsonObject &parameters)
{
    QStringList problems;
    if (parameters.value("type"_L1).toString() != "object"_L1)
        problems.append(tr("parameters must be a schema of \"type\": \"object\""));
    if (parameters.contains("properties"_L1) && !parameters.value("properties"_L1).isObject())
        problems.append(tr("parameters: \"properties\" must be an object"));
    checkTyped(parameters, {}, &problems, 0);
    return problems;
}

} // namespace moonpane::JsonSchema
