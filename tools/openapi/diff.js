// Breaking changes between two OpenAPI 3 documents of the public API: what a
// client written against `before` would trip over with `after`.
// - a path or an operation removed; a success status removed;
// - requests: a new required parameter or body field, a parameter or field
//   removed, a type changed, an enum losing values, bounds or formats narrowed;
// - responses: a field removed, a type changed, a required field made optional,
//   an enum gaining values (a client's switch has no case for them).
// Each change is one line, `METHOD /path: what`, which deploy/openapi-changelog.md
// must quote to acknowledge it.
'use strict';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function resolver(document) {
  return function resolve(schema, seen = new Set()) {
    if (!schema || typeof schema !== 'object') return schema ?? {};
    if (schema.$ref) {
      if (seen.has(schema.$ref)) return {};
      const name = schema.$ref.replace('#/components/schemas/', '');
      return resolve(document.components?.schemas?.[name], new Set([...seen, schema.$ref]));
    }
    if (schema.allOf) {
      const parts = schema.allOf.map((part) => resolve(part, seen));
      return {
        ...schema,
        allOf: undefined,
        type: parts.find((p) => p.type)?.type ?? schema.type,
        properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), schema.properties ?? {}),
        required: [...new Set([...parts.flatMap((p) => p.required ?? []), ...(schema.required ?? [])])],
      };
    }
    return schema;
  };
}

function typeOf(schema) {
  if (schema.oneOf || schema.anyOf) return 'union';
  return schema.type ?? (schema.properties ? 'object' : schema.items ? 'array' : 'any');
}

/**
 * Compares one schema in two documents. `direction` is `request` (what clients
 * send: narrowing breaks) or `response` (what clients read: removing breaks).
 */
function compareSchemas(beforeSchema, afterSchema, context, out, path = '', depth = 0) {
  const { resolveBefore, resolveAfter, direction } = context;
  const before = resolveBefore(beforeSchema);
  const after = resolveAfter(afterSchema);
  const at = path || 'body';
  if (depth > 12) return;
  const [typeBefore, typeAfter] = [typeOf(before), typeOf(after)];
  if (typeBefore !== 'any' && typeAfter !== 'any' && typeBefore !== typeAfter) {
    // A request field widened from a single type to a union accepts everything it did.
    if (!(direction === 'request' && typeAfter === 'union'))
      out.push(`${at} changed type ${typeBefore} → ${typeAfter}`);
    return;
  }
  if (before.enum && after.enum) {
    const removed = before.enum.filter((value) => !after.enum.includes(value));
    const added = after.enum.filter((value) => !before.enum.includes(value));
    if (direction === 'request' && removed.length) out.push(`${at} no longer accepts ${removed.join(', ')}`);
    if (direction === 'response' && added.length) out.push(`${at} may now be ${added.join(', ')}`);
  } else if (direction === 'request' && after.enum && !before.enum) {
    out.push(`${at} now accepts only ${after.enum.join(', ')}`);
  }
  if (direction === 'request') {
    const narrower = (key, tighter) =>
      after[key] !== undefined && (before[key] === undefined || tighter(after[key], before[key]));
    if (narrower('maxLength', (a, b) => a < b)) out.push(`${at} maxLength narrowed to ${after.maxLength}`);
    if (narrower('minLength', (a, b) => a > b)) out.push(`${at} minLength raised to ${after.minLength}`);
    if (narrower('maximum', (a, b) => a < b)) out.push(`${at} maximum narrowed to ${after.maximum}`);
    if (narrower('minimum', (a, b) => a > b)) out.push(`${at} minimum raised to ${after.minimum}`);
    if (narrower('maxItems', (a, b) => a < b)) out.push(`${at} maxItems narrowed to ${after.maxItems}`);
    if (after.pattern && after.pattern !== before.pattern) out.push(`${at} must now match ${after.pattern}`);
    if (after.format && after.format !== before.format) out.push(`${at} must now be format ${after.format}`);
  }
  if (typeAfter === 'object' || typeBefore === 'object') {
    const propsBefore = before.properties ?? {};
    const propsAfter = after.properties ?? {};
    const requiredBefore = new Set(before.required ?? []);
    const requiredAfter = new Set(after.required ?? []);
    for (const name of Object.keys(propsBefore)) {
      const field = path ? `${path}.${name}` : name;
      if (!(name in propsAfter)) {
        out.push(direction === 'request' ? `${field} is no longer accepted` : `${field} was removed`);
        continue;
      }
      if (direction === 'response' && requiredBefore.has(name) && !requiredAfter.has(name))
        out.push(`${field} is no longer always present`);
      compareSchemas(propsBefore[name], propsAfter[name], context, out, field, depth + 1);
    }
    if (direction === 'request') {
      for (const name of requiredAfter) {
        if (!requiredBefore.has(name)) out.push(`${path ? `${path}.` : ''}${name} is now required`);
      }
    }
  }
  if (typeAfter === 'array' && before.items && after.items) {
    compareSchemas(before.items, after.items, context, out, `${at}[]`, depth + 1);
  }
}

function jsonSchemaOf(content) {
  return content?.['application/json']?.schema ?? content?.['application/problem+json']?.schema;
}

function parametersOf(operation) {
  return new Map((operation.parameters ?? []).map((p) => [`${p.in}:${p.name}`, p]));
}

/** Every breaking change, as `METHOD /path: what`, sorted. */
function breakingChanges(before, after) {
  const out = [];
  const resolveBefore = resolver(before);
  const resolveAfter = resolver(after);
  for (const [path, itemBefore] of Object.entries(before.paths ?? {})) {
    const itemAfter = after.paths?.[path];
    for (const method of METHODS.filter((m) => itemBefore[m])) {
      const id = `${method.toUpperCase()} ${path}`;
      const operationBefore = itemBefore[method];
      const operationAfter = itemAfter?.[method];
      if (!operationAfter) {
        out.push(`${id}: removed`);
        continue;
      }
      const changes = [];
      const request = { resolveBefore, resolveAfter, direction: 'request' };
      const response = { resolveBefore, resolveAfter, direction: 'response' };
      const paramsBefore = parametersOf(operationBefore);
      const paramsAfter = parametersOf(operationAfter);
      for (const [key, parameter] of paramsAfter) {
        if (parameter.required && !paramsBefore.get(key)?.required)
          changes.push(`parameter ${key} is now required`);
      }
      for (const [key, parameter] of paramsBefore) {
        const now = paramsAfter.get(key);
        if (!now) changes.push(`parameter ${key} was removed`);
        else compareSchemas(parameter.schema, now.schema, request, changes, `parameter ${key}`);
      }
      const bodyBefore = jsonSchemaOf(operationBefore.requestBody?.content);
      const bodyAfter = jsonSchemaOf(operationAfter.requestBody?.content);
      if (bodyAfter && operationAfter.requestBody?.required && !bodyBefore)
        changes.push('a request body is now required');
      if (bodyBefore && bodyAfter) compareSchemas(bodyBefore, bodyAfter, request, changes);
      for (const [status, answerBefore] of Object.entries(operationBefore.responses ?? {})) {
        if (!/^2/.test(status)) continue;
        const answerAfter = operationAfter.responses?.[status];
        if (!answerAfter) {
          changes.push(`response ${status} was removed`);
          continue;
        }
        const schemaBefore = jsonSchemaOf(answerBefore.content);
        const schemaAfter = jsonSchemaOf(answerAfter.content);
        if (schemaBefore && schemaAfter) {
          const found = [];
          compareSchemas(schemaBefore, schemaAfter, response, found);
          changes.push(...found.map((change) => `response ${status} ${change}`));
        }
      }
      out.push(...changes.map((change) => `${id}: ${change}`));
    }
  }
  return [...new Set(out)].sort();
}

module.exports = { breakingChanges };
