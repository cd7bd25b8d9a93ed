import { z } from 'zod';
import { toIso } from '../../platform/clock.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { formatPercent } from '../../platform/rate.ts';
import {
  createTaxRateBody,
  itemTaxBody,
  itemTaxOutput,
  setTaxRuleBody,
  setTaxRuleOutput,
  taxRateList,
  taxRateOutput,
  taxRuleList,
  taxTableOutput,
  taxTableQuery,
  updateTaxRateBody,
} from './tax.schema.ts';
import {
  createTaxRate,
  deleteTaxRate,
  getItemTax,
  getTaxTable,
  listTaxRates,
  listTaxRules,
  setItemTaxExempt,
  setTaxRule,
  updateTaxRate,
  type TaxRateRecord,
  type TaxRuleRecord,
} from './tax.service.ts';

const tags = ['tax'];

function rateJson(r: TaxRateRecord) {
  return { id: r.id, name: r.name, rate: formatPercent(r.rate_ppm), rules: r.rules, created_at: toIso(Number(r.created_at)), updated_at: toIso(Number(r.updated_at)) };
}

function ruleJson(r: TaxRuleRecord) {
  return { site_id: r.siteId, category: r.category, tax_rate_id: r.taxRateId, name: r.name, rate: formatPercent(r.ratePpm), updated_at: toIso(r.updatedAt) };
}

/**
 * Tax set-up. Reading is open to every role (a till needs the rates to show each line's tax);
 * changing it needs `tax.write` (owners and managers).
 */
export function registerTaxRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/tax-rates', {
    schema: { tags, summary: 'Tax rates', response: { 200: taxRateList } },
    config: { access: { permission: 'items.read' }, errors: [] },
    handler: async (request) => ({ data: (await listTaxRates(contextOf(deps, request))).map(rateJson) }),
  });
  app.post('/api/v1/tax-rates', {
    schema: { tags, summary: 'Create a tax rate', description: 'A named rate; rules give it to sites and categories.', body: createTaxRateBody, response: { 201: taxRateOutput } },
    config: { access: { permission: 'tax.write' }, errors: [] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => rateJson(await createTaxRate(ctx, request.body)), { status: 201, targets: (r) => [{ type: 'tax_rate', id: r.id }] }),
  });
  app.patch('/api/v1/tax-rates/:id', {
    schema: {
      tags,
      summary: 'Rename a tax rate or change its rate',
      description: 'Applies to sales from now on; sales already made keep the rate they were charged.',
      params: idParams('txr'),
      body: updateTaxRateBody,
      response: { 200: taxRateOutput },
    },
    config: { access: { permission: 'tax.write' }, errors: ['tax_rate_not_found'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => rateJson(await updateTaxRate(ctx, request.params.id, request.body)), { targets: (r) => [{ type: 'tax_rate', id: r.id }] }),
  });
  app.delete('/api/v1/tax-rates/:id', {
    schema: {
      tags,
      summary: 'Delete a tax rate no rule uses',
      params: idParams('txr'),
      response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) },
    },
    config: { access: { permission: 'tax.write' }, errors: ['tax_rate_in_use', 'tax_rate_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          await deleteTaxRate(ctx, request.params.id);
          return { id: request.params.id, deleted: true as const };
        },
        { targets: (r) => [{ type: 'tax_rate', id: r.id }] },
      ),
  });

  app.get('/api/v1/tax-rules', {
    schema: {
      tags,
      summary: 'Tax rules: a rate per site, per category, or per category at a site',
      description:
        'The most specific rule wins: an exempt item pays none; then the category at the site, the category at every site, the site’s default, the shop’s default; 0 with no rule. Rules of sites you are not granted are left out.',
      response: { 200: taxRuleList },
    },
    config: { access: { permission: 'items.read' }, errors: [] },
    handler: async (request) => ({ data: (await listTaxRules(contextOf(deps, request))).map(ruleJson) }),
  });
  app.put('/api/v1/tax-rules', {
    schema: {
      tags,
      summary: 'Set or remove the rule for a site and category',
      description: 'One rule per site (or every site) and category (or every category); setting it again replaces it; `tax_rate_id: null` removes it. A rule for every site needs a grant for every site.',
      body: setTaxRuleBody,
      response: { 200: setTaxRuleOutput },
    },
    config: { access: { permission: 'tax.write', location: { from: 'body', field: 'site_id' } }, errors: ['location_not_found', 'tax_rule_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        const rule = await setTaxRule(ctx, request.body);
        return { rule: rule ? ruleJson(rule) : null };
      }),
  });

  app.get('/api/v1/items/:id/tax', {
    schema: { tags, summary: 'Whether an item is exempt from tax', params: idParams('itm'), response: { 200: itemTaxOutput } },
    config: { access: { permission: 'items.read' }, errors: ['item_not_found'] },
    handler: async (request) => {
      const r = await getItemTax(contextOf(deps, request), request.params.id);
      return { item_id: r.itemId, exempt: r.exempt };
    },
  });
  app.put('/api/v1/items/:id/tax', {
    schema: { tags, summary: 'Make an item tax-exempt, or not', description: 'An exempt item is sold without tax at every site, whatever the rules say.', params: idParams('itm'), body: itemTaxBody, response: { 200: itemTaxOutput } },
    config: { access: { permission: 'tax.write' }, errors: ['item_not_found'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const r = await setItemTaxExempt(ctx, request.params.id, request.body.exempt);
          return { item_id: r.itemId, exempt: r.exempt };
        },
        { targets: (r) => [{ type: 'item', id: r.item_id }] },
      ),
  });

  app.get('/api/v1/tax-table', {
    schema: {
      tags,
      summary: 'The rates a till at a site charges, resolved',
      description: 'What the counter (and its offline copy) needs to work out each line’s tax exactly as the server does: whether prices include tax, the default rate, the categories with their own rate, and the exempt items.',
      querystring: taxTableQuery,
      response: { 200: taxTableOutput },
    },
    config: { access: { permission: 'items.read', location: { from: 'query', field: 'site_id' } }, errors: ['location_not_found'] },
    handler: async (request) => {
      const { table, pricesIncludeTax } = await getTaxTable(contextOf(deps, request), request.query.site_id);
      return {
        site_id: table.siteId,
        prices_include_tax: pricesIncludeTax,
        default_rate: formatPercent(table.defaultPpm),
        categories: [...table.byCategory.values()].map((c) => ({ category: c.category, rate: formatPercent(c.ratePpm) })),
        exempt_item_ids: [...table.exemptItemIds],
      };
    },
  });
}
