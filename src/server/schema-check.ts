// The JSON API's bodies and query strings are checked against small JSON schemas (json-routes.ts)
// before a handler runs. Fastify compiles route schemas with Ajv by default, which costs the daemon
// ~3 MB of RSS and tens of milliseconds at every start (loading Ajv and generating code) for four
// schemas. This checks the part of JSON Schema those use, in Ajv's order and with Ajv's words, so a
// refused request's 400 still names the field the same way (`body/wait must be boolean`).
// A schema using anything else is refused when the route is registered, never half-checked.

/** The JSON Schema this understands. */
export interface Shape {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  readonly properties?: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: false;
  readonly anyOf?: readonly Shape[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
}

/** As Ajv words a failure: where (a JSON pointer below the checked value) and what. */
export interface SchemaProblem {
  readonly instancePath: string;
  readonly message: string;
}

/** Fastify's validator contract: true, or false with `errors` set for its formatter. */
export interface SchemaValidator {
  (value: unknown): boolean;
  errors: SchemaProblem[] | null;
}

const TYPES = new Set(['object', 'array', 'string', 'integer', 'boolean']);
const KNOWN = new Set(['type', 'properties', 'required', 'additionalProperties', 'anyOf', 'minLength', 'maxLength', 'maxItems', 'pattern']);

function assertKnown(shape: Readonly<Record<string, unknown>>, where: string): void {
  for (const key of Object.keys(shape)) {
    if (!KNOWN.has(key)) throw new Error(`schema-check: '${key}' at ${where || '/'} is not supported`);
  }
  const type = shape['type'];
  if (type !== undefined && !TYPES.has(type as string)) throw new Error(`schema-check: type ${JSON.stringify(type)} at ${where || '/'} is not supported`);
  if (shape['additionalProperties'] !== undefined && shape['additionalProperties'] !== false) {
    throw new Error(`schema-check: additionalProperties at ${where || '/'} must be false`);
  }
  const properties = (shape['properties'] ?? {}) as Record<string, Readonly<Record<string, unknown>>>;
  for (const [name, inner] of Object.entries(properties)) assertKnown(inner, `${where}/${name}`);
  for (const [i, inner] of ((shape['anyOf'] ?? []) as Readonly<Record<string, unknown>>[]).entries()) assertKnown(inner, `${where}/anyOf/${i}`);
}

function typeHolds(type: NonNullable<Shape['type']>, value: unknown): boolean {
  switch (type) {
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
  }
}

/** Code points, as Ajv counts a string's length (a surrogate pair is one). */
function lengthOf(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return n;
}

/** The problems of `value` against `shape` (Ajv without allErrors: the first one found). */
function problemsOf(shape: Shape, value: unknown, path: string): SchemaProblem[] {
  const fail = (message: string, at: string = path): SchemaProblem[] => [{ instancePath: at, message }];
  if (shape.type !== undefined && !typeHolds(shape.type, value)) return fail(`must be ${shape.type}`);
  if (shape.anyOf !== undefined) {
    const branches = shape.anyOf.map((branch) => problemsOf(branch, value, path));
    if (branches.some((found) => found.length === 0)) return [];
    return [...branches.flat(), { instancePath: path, message: 'must match a schema in anyOf' }];
  }
  if (typeof value === 'string') {
    if (shape.maxLength !== undefined && lengthOf(value) > shape.maxLength) return fail(`must NOT have more than ${shape.maxLength} characters`);
    if (shape.minLength !== undefined && lengthOf(value) < shape.minLength) return fail(`must NOT have fewer than ${shape.minLength} characters`);
    if (shape.pattern !== undefined && !new RegExp(shape.pattern, 'u').test(value)) return fail(`must match pattern "${shape.pattern}"`);
  }
  if (Array.isArray(value) && shape.maxItems !== undefined && value.length > shape.maxItems) return fail(`must NOT have more than ${shape.maxItems} items`);
  if (typeHolds('object', value)) {
    const object = value as Readonly<Record<string, unknown>>;
    const missing = shape.required?.find((name) => !Object.hasOwn(object, name));
    if (missing !== undefined) return fail(`must have required property '${missing}'`);
    const properties = shape.properties ?? {};
    if (shape.additionalProperties === false && Object.keys(object).some((name) => !Object.hasOwn(properties, name))) {
      return fail('must NOT have additional properties');
    }
    for (const [name, inner] of Object.entries(properties)) {
      if (!Object.hasOwn(object, name)) continue;
      const found = problemsOf(inner, object[name], `${path}/${name}`);
      if (found.length > 0) return found;
    }
  }
  return [];
}

/** A validator for `shape`; throws at once for a schema using more than this understands. */
export function compileShape(shape: unknown): SchemaValidator {
  if (typeof shape !== 'object' || shape === null) throw new Error('schema-check: a schema is an object');
  assertKnown(shape as Readonly<Record<string, unknown>>, '');
  const checked = shape as Shape;
  const validate = ((value: unknown): boolean => {
    const found = problemsOf(checked, value, '');
    validate.errors = found.length === 0 ? null : found;
    return found.length === 0;
  }) as SchemaValidator;
  validate.errors = null;
  return validate;
}
