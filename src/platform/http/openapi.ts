/**
 * Finishing touches on the generated OpenAPI document, for people who try it in the API browser.
 * "Try it out" fills every parameter that has an example; an optional filter pre-filled with a
 * placeholder id or date makes Execute answer 404 or an empty page, so optional parameters carry
 * no example (their defaults stay). A bare safe integer has ±2^53−1 as its bounds, which the
 * browser shows as the sample value; such integers get a small example within their bounds.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function stripExamples(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(stripExamples);
  if (!isObject(schema)) return;
  delete schema.example;
  delete schema.examples;
  for (const value of Object.values(schema)) stripExamples(value);
}

function exampleIntegers(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(exampleIntegers);
  if (!isObject(node)) return;
  if (node.type === 'integer' && node.example === undefined && node.examples === undefined && node.default === undefined) {
    const minimum = typeof node.minimum === 'number' ? node.minimum : -Number.MAX_SAFE_INTEGER;
    const maximum = typeof node.maximum === 'number' ? node.maximum : Number.MAX_SAFE_INTEGER;
    if (minimum <= -Number.MAX_SAFE_INTEGER || maximum >= Number.MAX_SAFE_INTEGER) node.example = Math.min(Math.max(1, minimum), maximum);
  }
  for (const value of Object.values(node)) exampleIntegers(value);
}

/** Applies both rules to a finished document, in place, and returns it. */
export function polishOpenApi<T extends object>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, { parameters?: Json[] }>> }).paths ?? {};
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (!isObject(operation)) continue;
      for (const parameter of operation.parameters ?? []) {
        if (parameter.required === true) continue;
        delete parameter.example;
        delete parameter.examples;
        stripExamples(parameter.schema);
      }
    }
  }
  exampleIntegers(document);
  return document;
}
