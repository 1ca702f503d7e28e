/**
 * Request-body checking the way Plaid answers bad input (LAYER.md §3.2): missing required fields
 * → `MISSING_FIELDS`, fields the endpoint does not know → `UNKNOWN_FIELDS`, a value of the wrong
 * kind → `INVALID_FIELD`. Each route describes its body with a small spec taken from the OpenAPI
 * request schema.
 */
import { PlaidApiError } from '../plaid-error.js';

/** `text`: a non-empty string. `any`: accepted as is (nested options the emulator ignores). */
export type FieldSpec = 'text' | 'string' | 'url' | 'boolean' | 'date-time' | 'text[]' | 'any' | ObjectSpec;

export interface ObjectSpec {
  fields: Record<string, FieldSpec>;
  required?: readonly string[];
  /** `additionalProperties: true` in the spec: unknown keys are allowed. */
  open?: boolean;
}

export type JsonObject = Record<string, unknown>;

interface Problems {
  missing: string[];
  unknown: string[];
  invalid: Array<{ path: string; expected: string }>;
}

const EXPECTED: Record<Exclude<FieldSpec, ObjectSpec>, string> = {
  text: 'a non-empty string',
  string: 'a string',
  url: 'a valid http(s) URL',
  boolean: 'a boolean',
  'date-time': 'an ISO 8601 date-time',
  'text[]': 'an array of non-empty strings',
  any: 'any value',
};

/** The value of an own property of a checked body (never one inherited from Object.prototype). */
export function own(body: JsonObject, name: string): unknown {
  return Object.hasOwn(body, name) ? body[name] : undefined;
}

/** Throws the Plaid error for the first kind of problem found, in Plaid's order of checks. */
export function checkBody(body: JsonObject, spec: ObjectSpec): void {
  const problems: Problems = { missing: [], unknown: [], invalid: [] };
  walk(body, spec, '', problems);
  if (problems.missing.length > 0)
    throw new PlaidApiError('MISSING_FIELDS', {
      message: `the following required fields are missing: ${problems.missing.join(', ')}`,
    });
  if (problems.unknown.length > 0)
    throw new PlaidApiError('UNKNOWN_FIELDS', {
      message: `the following fields are not recognized by this endpoint: ${problems.unknown.join(', ')}`,
    });
  const [first] = problems.invalid;
  if (first) throw new PlaidApiError('INVALID_FIELD', { message: `${first.path} must be ${first.expected}` });
}

function walk(value: JsonObject, spec: ObjectSpec, prefix: string, problems: Problems): void {
  for (const name of spec.required ?? []) {
    const present = Object.hasOwn(value, name) && value[name] !== undefined && value[name] !== null;
    if (!present) problems.missing.push(prefix + name);
  }
  for (const [name, child] of Object.entries(value)) {
    const path = prefix + name;
    // Own keys only: a body key such as `toString`, `constructor` or `__proto__` is an unknown
    // field, never a member of Object.prototype mistaken for a field spec.
    const fieldSpec = Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined;
    if (!fieldSpec) {
      if (!spec.open) problems.unknown.push(path);
      continue;
    }
    // Optional fields may be sent as null, as the generated clients do.
    if (child === undefined || child === null) continue;
    if (typeof fieldSpec === 'object') {
      if (isObject(child)) walk(child, fieldSpec, `${path}.`, problems);
      else problems.invalid.push({ path, expected: 'an object' });
    } else if (!matches(child, fieldSpec)) {
      problems.invalid.push({ path, expected: EXPECTED[fieldSpec] });
    }
  }
}

function matches(value: unknown, spec: Exclude<FieldSpec, ObjectSpec>): boolean {
  switch (spec) {
    case 'any':
      return true;
    case 'string':
      return typeof value === 'string';
    case 'text':
      return typeof value === 'string' && value.trim() !== '';
    case 'boolean':
      return typeof value === 'boolean';
    case 'url':
      return typeof value === 'string' && isHttpUrl(value);
    case 'date-time':
      return (
        typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !isNaN(Date.parse(value))
      );
    case 'text[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.trim() !== '');
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
