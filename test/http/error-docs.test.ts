import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalesError } from '../../src/modules/sales/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { errorCatalogue } from '../../src/server/error-catalogue.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

/**
 * Every error a route can answer with is in the OpenAPI document, per status, with its codes; a
 * route that answers with a code it does not declare fails the HTTP test that meets it.
 */

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}');

describe('error responses in the OpenAPI document', () => {
  let test: TestDatabase & { destroy(): Promise<void> };
  let api: TestApi;
  let doc: any;

  beforeAll(async () => {
    test = await createTestDatabase('sqlite');
    api = await buildTestApi(test.db, {
      extraRoutes: (routes) => {
        // A route that answers with a code it does not declare, and one that declares it.
        routes.get('/api/v1/test/undeclared-problem', {
          config: { access: { permission: 'items.read' }, errors: [] },
          handler: async () => {
            throw new SalesError('payment_insufficient', 'The payments cover 1.00 of 2.00 due.');
          },
        });
        routes.get('/api/v1/test/declared-problem', {
          config: { access: { permission: 'items.read' }, errors: ['payment_insufficient'] },
          handler: async () => {
            throw new SalesError('payment_insufficient', 'The payments cover 1.00 of 2.00 due.');
          },
        });
      },
    });
    doc = (await api.as(null).get('/api/openapi.json')).body;
  });

  afterAll(async () => {
    await api.app.close();
    await test.destroy();
  });

  it('declares config.errors on every API route', () => {
    const undeclared = [...api.app.documentedErrors].filter(([, docs]) => !docs.declared).map(([route]) => route);
    expect(undeclared).toEqual([]);
  });

  it('documents a response for every status a route can answer with, naming each code in it', () => {
    const catalogue = errorCatalogue();
    const missing: string[] = [];
    let routes = 0;
    for (const [key, docs] of api.app.documentedErrors) {
      const [method, url] = key.split(' ') as [string, string];
      if (method === 'HEAD') continue;
      const operation = doc.paths[toOpenApiPath(url)]?.[method.toLowerCase()];
      if (!operation) continue; // hidden from the document (none of the modules' routes are)
      routes += 1;
      for (const code of docs.codes) {
        const response = operation.responses[String(catalogue.get(code))];
        const codes: string[] = response?.content?.['application/problem+json']?.schema?.allOf?.[1]?.properties?.code?.enum ?? [];
        if (!response || !String(response.description).includes(`\`${code}\``) || !codes.includes(code)) missing.push(`${key} ${catalogue.get(code)} ${code}`);
      }
      expect(Object.keys(operation.responses).some((status) => /^[45]xx$/i.test(status)), `${key} still has a catch-all`).toBe(false);
    }
    expect(routes).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('says that a counter sale must be paid in full (422 payment_insufficient)', () => {
    const sale = doc.paths['/api/v1/sales'].post.responses;
    expect(sale['422'].description).toMatch(/`payment_insufficient`/);
    expect(sale['409'].description).toMatch(/`insufficient_stock`/);
    expect(sale['401'].description).toMatch(/`unauthenticated`/);
    expect(sale['400'].description).toMatch(/`validation_failed`/);
    expect(sale['400'].description).toMatch(/`idempotency_key_invalid`/);
    expect(sale['429'].description).toMatch(/`rate_limited`/);
    expect(sale['503'].description).toMatch(/`database_busy`/);
    // A public route answers no 401; a route without an id in its path no platform 404.
    expect(doc.paths['/api/v1/session'].post.responses['401'].description).not.toMatch(/`unauthenticated`/);
    expect(doc.paths['/api/v1/session'].post.responses['401'].description).toMatch(/`invalid_credentials`/);
    expect(doc.paths['/api/v1/items'].get.responses['404'].description).not.toMatch(/`not_found`/);
    expect(doc.paths['/api/v1/items/{id}'].get.responses['404'].description).toMatch(/`item_not_found`/);
  });

  it('answers 500 undocumented_error, in tests, when a route answers with a code it does not declare', async () => {
    const undeclared = await api.get('/api/v1/test/undeclared-problem');
    expect(undeclared.status).toBe(500);
    expect(undeclared.body.code).toBe('undocumented_error');
    expect(undeclared.body.detail).toMatch(/GET \/api\/v1\/test\/undeclared-problem answered 422 payment_insufficient/);
    const declared = await api.get('/api/v1/test/declared-problem');
    expect(declared.status).toBe(422);
    expect(declared.body.code).toBe('payment_insufficient');
    // Platform codes that apply to every route pass: no credentials is 401 unauthenticated.
    expect((await api.as(null).get('/api/v1/test/undeclared-problem')).status).toBe(401);
  });

  it('explains every error code somewhere in docs/', () => {
    const docsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs');
    const text = fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => fs.readFileSync(path.join(docsDir, f), 'utf8')).join('\n');
    const unexplained = [...errorCatalogue().keys()].filter((code) => !text.includes(`\`${code}\``));
    expect(unexplained).toEqual([]);
  });

  it('refuses to start with a route that declares a code no module knows', async () => {
    await expect(
      buildApp({
        db: test.db,
        extraRoutes: (routes) => {
          routes.get('/api/v1/test/misspelt-code', { config: { access: { permission: 'items.read' }, errors: ['payment_insuficient'] }, handler: async () => ({}) });
        },
      }),
    ).rejects.toThrow(/GET \/api\/v1\/test\/misspelt-code declares error code "payment_insuficient"/);
  });
});

describe('the API browser’s Try it out', () => {
  let test: TestDatabase & { destroy(): Promise<void> };
  let api: TestApi;
  let doc: any;

  beforeAll(async () => {
    test = await createTestDatabase('sqlite');
    api = await buildTestApi(test.db);
    doc = (await api.as(null).get('/api/openapi.json')).body;
  });

  afterAll(async () => {
    await api.app.close();
    await test.destroy();
  });

  const operations = () =>
    Object.entries<Record<string, any>>(doc.paths).flatMap(([path, ops]) => Object.entries<any>(ops).map(([method, op]) => ({ path, method, op })));

  it('pre-fills no optional parameter with a placeholder', () => {
    const prefilled: string[] = [];
    let optional = 0;
    for (const { path, method, op } of operations()) {
      for (const parameter of op.parameters ?? []) {
        if (parameter.required) continue;
        optional += 1;
        if (JSON.stringify(parameter).match(/"examples?":/)) prefilled.push(`${method} ${path} ${parameter.name}`);
      }
    }
    expect(optional).toBeGreaterThan(30);
    expect(prefilled).toEqual([]);
  });

  it('keeps an example of the id format on required ids', () => {
    const parameter = doc.paths['/api/v1/items/{id}'].get.parameters.find((p: any) => p.name === 'id');
    expect(parameter.required).toBe(true);
    expect(parameter.schema.example).toMatch(/^itm_/);
  });

  it('shows a small integer, within its bounds, where only ±2^53−1 bounded it', () => {
    const bad: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, any>;
      if (schema.type === 'integer' && (schema.minimum === -Number.MAX_SAFE_INTEGER || schema.maximum === Number.MAX_SAFE_INTEGER) && schema.default === undefined) {
        const example = schema.example ?? schema.examples?.[0];
        if (typeof example !== 'number' || Math.abs(example) > 1_000_000 || example < (schema.minimum ?? -Infinity) || example > (schema.maximum ?? Infinity)) bad.push(where);
      }
      for (const [key, value] of Object.entries(schema)) walk(value, `${where}/${key}`);
    };
    walk(doc, '');
    expect(JSON.stringify(doc)).not.toMatch(/"examples?":\s*\[?-9007199254740991/);
    expect(bad).toEqual([]);
  });

  it('says which unit each quantity of a purchase order line is in', () => {
    const line = doc.components.schemas.PurchaseOrder.properties.lines.items.properties;
    expect(line.qty.description).toMatch(/in `unit`/);
    for (const field of ['qty_base', 'qty_received', 'qty_damaged', 'qty_outstanding']) expect(line[field].description).toMatch(/base unit/);
  });
});
