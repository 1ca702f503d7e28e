/**
 * A small validator for the part of OpenAPI 3.0's schema language that Plaid's Layer schemas use
 * (`type`, `nullable`, `enum`, `format: date-time`, `properties`, `required`, `items`, `allOf`,
 * `$ref`), against the schemas copied into fixtures/plaid-openapi-schemas.json.
 *
 * It is stricter than the spec in one way, on purpose: a property the schema does not declare is an
 * error even where the schema allows additional properties, so a misspelt field (`ssn_last4`) fails.
 */
import { readFileSync } from 'node:fs';

interface Schema {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  nullable?: boolean;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
}

const FIXTURE = JSON.parse(
  readFileSync(new URL('../fixtures/plaid-openapi-schemas.json', import.meta.url), 'utf8'),
) as { schemas: Record<string, Schema> };

export type SchemaName = keyof typeof FIXTURE.schemas & string;

/** The problems found, as `path: message` lines; empty when `value` is valid. */
export function validate(name: string, value: unknown): string[] {
  const schema = FIXTURE.schemas[name];
  if (!schema) throw new Error(`no schema ${name} in the fixture`);
  const problems: string[] = [];
  check(schema, value, '$', problems);
  return problems;
}

/** The property names a schema declares (for comparing with what a route accepts). */
export function declaredProperties(name: string): string[] {
  return Object.keys(resolve(FIXTURE.schemas[name]!).properties ?? {});
}

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const target = FIXTURE.schemas[schema.$ref.replace('#/components/schemas/', '')];
  if (!target) throw new Error(`unresolved ${schema.$ref}`);
  return resolve(target);
}

function check(raw: Schema, value: unknown, path: string, problems: string[]): void {
  const schema = resolve(raw);
  if (value === null) {
    if (!schema.nullable) problems.push(`${path}: null is not allowed`);
    return;
  }
  for (const part of schema.allOf ?? []) check(part, value, path, problems);
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return void problems.push(`${path}: expected a string`);
      if (
        schema.format === 'date-time' &&
        !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
      )
        problems.push(`${path}: ${value} is not an RFC 3339 date-time`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) problems.push(`${path}: expected an integer`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.push(`${path}: expected a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean`);
      return;
    case 'array':
      if (!Array.isArray(value)) return void problems.push(`${path}: expected an array`);
      value.forEach(
        (item, index) => schema.items && check(schema.items, item, `${path}[${index}]`, problems),
      );
      return;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value))
        return void problems.push(`${path}: expected an object`);
      const object = value as Record<string, unknown>;
      for (const name of schema.required ?? []) {
        if (!(name in object)) problems.push(`${path}.${name}: required`);
      }
      for (const [name, child] of Object.entries(object)) {
        const property = schema.properties?.[name];
        if (!property) problems.push(`${path}.${name}: not declared by the schema`);
        else check(property, child, `${path}.${name}`, problems);
      }
      return;
    }
  }
}
