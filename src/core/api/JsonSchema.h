// Checks a tool call's arguments against the tool's `parameters` schema before the call runs, so
// the approval card and the inspector can say what is wrong with them. The part of JSON Schema
// that tool definitions use: type, properties, required, additionalProperties, items, enum,
// const, numeric and length bounds, pattern, anyOf/oneOf/allOf. Unknown keywords are ignored:
// a schema that says more than this understands never makes valid arguments look invalid.
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

namespace moonpane::JsonSchema {

// What is wrong with `value` under `schema`, each problem naming where ("location.city: …");
// empty when it conforms.
QStringList check(const QJsonValue &value, const QJsonObject &schema);

// The model's arguments text: not JSON, not an object, or not what the schema asks for.
QStringList checkArguments(const QString &arguments, const QJsonObject &schema);

// What is wrong with a function's `parameters` as Kimi takes them: an object schema whose
// properties each say their type (Moonshot rejects a nested property without one).
QStringList checkParameters(const QJsonObject &parameters);

} // namespace moonpane::JsonSchema
