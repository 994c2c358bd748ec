/**
 * Checks real responses against the served OpenAPI document: finds the operation for a method
 * and concrete path, the response for the status, and validates the JSON body against its
 * schema. Supports the JSON Schema subset the document uses (type, properties, required, items,
 * enum, const, oneOf, anyOf, allOf, additionalProperties, minimum, maximum, minLength, $ref).
 */
type Schema = Record<string, any>;
type Doc = Record<string, any>;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, got: string): boolean {
  return want === got || (want === 'number' && got === 'integer');
}

export function validateSchema(doc: Doc, schema: Schema, value: unknown, path = '$'): string[] {
  if (schema.$ref) {
    const target = (schema.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce((o: any, k: string) => o?.[k], doc);
    if (!target) return [`${path}: unresolved $ref ${schema.$ref}`];
    return validateSchema(doc, target, value, path);
  }
  const errors: string[] = [];
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, typeOf(value))))
      return [`${path}: expected ${types.join('|')}, got ${typeOf(value)}`];
  }
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength)
    errors.push(`${path}: shorter than ${schema.minLength}`);
  if (schema.anyOf && !schema.anyOf.some((s: Schema) => validateSchema(doc, s, value, path).length === 0))
    errors.push(`${path}: matches none of anyOf`);
  if (schema.allOf) for (const s of schema.allOf) errors.push(...validateSchema(doc, s, value, path));
  if (schema.oneOf) {
    const passing = schema.oneOf.filter((s: Schema) => validateSchema(doc, s, value, path).length === 0).length;
    if (passing !== 1) errors.push(`${path}: matches ${passing} of oneOf, expected exactly 1`);
  }
  if (typeOf(value) === 'object') errors.push(...validateObject(doc, schema, value as Record<string, unknown>, path));
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => {
      errors.push(...validateSchema(doc, schema.items, v, `${path}[${i}]`));
    });
  }
  return errors;
}

function validateObject(doc: Doc, schema: Schema, value: Record<string, unknown>, path: string): string[] {
  const errors: string[] = [];
  for (const r of schema.required ?? []) if (!(r in value)) errors.push(`${path}: missing required "${r}"`);
  for (const [k, v] of Object.entries(value)) {
    const prop = schema.properties?.[k];
    if (prop) errors.push(...validateSchema(doc, prop, v, `${path}.${k}`));
    else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property "${k}"`);
    else if (typeof schema.additionalProperties === 'object')
      errors.push(...validateSchema(doc, schema.additionalProperties, v, `${path}.${k}`));
  }
  return errors;
}

/** The OpenAPI path template matching a concrete path (`/plans/abc` -> `/plans/{id}`). */
export function matchPath(doc: Doc, path: string): string | null {
  const clean = path.split('?')[0];
  for (const template of Object.keys(doc.paths)) {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (re.test(clean)) return template;
  }
  return null;
}

/**
 * Problems with a response: undocumented path, method or status, or a body not matching the
 * documented schema. An empty list means the response conforms.
 */
export function checkResponse(
  doc: Doc,
  method: string,
  path: string,
  status: number,
  contentType: string,
  body: unknown,
  errorsOnUnknownPaths = false,
): string[] {
  const template = matchPath(doc, path);
  // Unknown routes (404) and requests refused before routing (401) answer with the Error shape.
  if (!template && errorsOnUnknownPaths && status >= 400) {
    return validateSchema(doc, { $ref: '#/components/schemas/Error' }, body).map(
      (e) => `${method} ${path} ${status}: ${e}`,
    );
  }
  if (!template) return [`${method} ${path}: path not documented`];
  const op = doc.paths[template][method.toLowerCase()];
  if (!op && errorsOnUnknownPaths && status >= 400)
    return checkResponse(doc, method, '/nonexistent-route', status, contentType, body, true);
  if (!op) return [`${method} ${template}: method not documented`];
  const response = op.responses[String(status)];
  if (!response) return [`${method} ${template}: status ${status} not documented`];
  const media = contentType.split(';')[0].trim();
  const content = response.content?.[media];
  if (!content) return [`${method} ${template} ${status}: content type ${media} not documented`];
  if (media !== 'application/json')
    return typeof body === 'string' ? [] : [`${method} ${template}: expected a text body`];
  return validateSchema(doc, content.schema, body).map((e) => `${method} ${template} ${status}: ${e}`);
}
