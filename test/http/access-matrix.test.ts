import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/platform/context.ts';
import { revokeToken, SESSION_ABSOLUTE_MS } from '../../src/modules/access/index.ts';
import { systemActor } from '../../src/platform/context.ts';
import { buildApp } from '../../src/server/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeToken, makeUser, signIn } from '../support/access.ts';
import { buildTestApi, type Credentials, type TestApi } from '../support/http.ts';
import { registeredRoutes, routerRouteCount } from '../support/routes.ts';

/**
 * The route matrix: every route the server registers, called by every kind of caller, with the
 * outcome each must get. A row says which roles hold the route's permission and what status they
 * get for a deliberately minimal request (a validation error, a 404 for an id that does not
 * exist, or a success). Every other role gets 403; without credentials, with a revoked token or
 * an expired session, every non-public route answers 401. Rows with `otherSite` also ask about
 * a site that only the owner is granted: 403 for a location taken from the request, 404 for a
 * document that lives there.
 */

type Who = readonly Role[] | 'public';
interface Call {
  path: string;
  body?: unknown;
}
interface Row extends Call {
  who: Who;
  /** The status of a caller who may call the route. */
  status: number;
  otherSite?: Call & { owner: number; restricted: 403 | 404 };
}

const everyone = ['owner', 'manager', 'staff', 'viewer'] as const;
const managers = ['owner', 'manager'] as const;
const workers = ['owner', 'manager', 'staff'] as const;
const costReaders = ['owner', 'manager', 'viewer'] as const;
const owners = ['owner'] as const;

interface Fixture {
  siteB: string;
  binB: string;
  adjustmentB: string;
  siteC: string;
  /** A cancelled transfer from site B to site C, neither of which the restricted callers are granted. */
  transferB: string;
  countB: string;
  cancelledCountB: string;
}

function matrix(f: Fixture): Record<string, Row> {
  const adjustmentAtB = { location_id: f.binB, reason: 'found', lines: [{ item_id: 'itm_NOPE', qty: 1 }] };
  return {
    'GET /healthz': { who: 'public', path: '/healthz', status: 200 },
    'GET /': { who: 'public', path: '/', status: 200 },
    'GET /*': { who: 'public', path: '/items/itm_NOPE', status: 200 },
    'GET /api/openapi.json': { who: 'public', path: '/api/openapi.json', status: 200 },
    'GET /api/docs': { who: 'public', path: '/api/docs', status: 200 },
    'GET /api/docs/': { who: 'public', path: '/api/docs/', status: 200 },
    'GET /api/docs/static/index.html': { who: 'public', path: '/api/docs/static/index.html', status: 302 },
    'GET /api/docs/static/swagger-initializer.js': { who: 'public', path: '/api/docs/static/swagger-initializer.js', status: 200 },
    'GET /api/docs/static/*': { who: 'public', path: '/api/docs/static/swagger-ui.css', status: 200 },
    'GET /api/docs/json': { who: 'public', path: '/api/docs/json', status: 200 },
    'GET /api/docs/yaml': { who: 'public', path: '/api/docs/yaml', status: 200 },
    'GET /api/v1/setup': { who: 'public', path: '/api/v1/setup', status: 200 },
    'POST /api/v1/setup': { who: 'public', path: '/api/v1/setup', body: {}, status: 400 },
    'POST /api/v1/session': { who: 'public', path: '/api/v1/session', body: {}, status: 400 },

    'GET /api/v1/session': { who: everyone, path: '/api/v1/session', status: 200 },
    'DELETE /api/v1/session': { who: everyone, path: '/api/v1/session', status: 200 },
    'POST /api/v1/session/password': { who: everyone, path: '/api/v1/session/password', body: {}, status: 400 },
    'GET /api/v1/permissions': { who: everyone, path: '/api/v1/permissions', status: 200 },

    'POST /api/v1/locations': {
      who: managers,
      path: '/api/v1/locations',
      body: {},
      status: 400,
      otherSite: { path: '/api/v1/locations', body: { kind: 'bin', parent_id: f.binB, code: 'X', name: 'x' }, owner: 422, restricted: 403 },
    },
    'GET /api/v1/locations': {
      who: everyone,
      path: '/api/v1/locations',
      status: 200,
      otherSite: { path: `/api/v1/locations?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/locations/:id': {
      who: everyone,
      path: '/api/v1/locations/loc_NOPE',
      status: 404,
      otherSite: { path: `/api/v1/locations/${f.siteB}`, owner: 200, restricted: 403 },
    },
    'PATCH /api/v1/locations/:id': {
      who: managers,
      path: '/api/v1/locations/loc_NOPE',
      body: { name: 'x' },
      status: 404,
      otherSite: { path: `/api/v1/locations/${f.siteB}`, body: { name: 'Site B' }, owner: 200, restricted: 403 },
    },

    'POST /api/v1/items': { who: managers, path: '/api/v1/items', body: {}, status: 400 },
    'GET /api/v1/items': { who: everyone, path: '/api/v1/items', status: 200 },
    'GET /api/v1/items/by-barcode/:code': { who: everyone, path: '/api/v1/items/by-barcode/0000000000000', status: 404 },
    'GET /api/v1/items/:id': { who: everyone, path: '/api/v1/items/itm_NOPE', status: 404 },
    'PATCH /api/v1/items/:id': { who: managers, path: '/api/v1/items/itm_NOPE', body: { name: 'x' }, status: 404 },
    'POST /api/v1/items/:id/archive': { who: managers, path: '/api/v1/items/itm_NOPE/archive', status: 404 },
    'POST /api/v1/items/:id/unarchive': { who: managers, path: '/api/v1/items/itm_NOPE/unarchive', status: 404 },
    'DELETE /api/v1/items/:id': { who: managers, path: '/api/v1/items/itm_NOPE', status: 404 },
    'POST /api/v1/products': { who: managers, path: '/api/v1/products', body: {}, status: 400 },
    'GET /api/v1/products': { who: everyone, path: '/api/v1/products', status: 200 },
    'GET /api/v1/products/:id': { who: everyone, path: '/api/v1/products/pdt_NOPE', status: 404 },
    'PATCH /api/v1/products/:id': { who: managers, path: '/api/v1/products/pdt_NOPE', body: { name: 'x' }, status: 404 },
    'POST /api/v1/products/:id/option-values': { who: managers, path: '/api/v1/products/pdt_NOPE/option-values', body: { option: 'Size', value: 'XL' }, status: 404 },
    'POST /api/v1/products/:id/row-price': { who: managers, path: '/api/v1/products/pdt_NOPE/row-price', body: { option: 'Size', value: 'XL', price: '1.00' }, status: 404 },
    'GET /api/v1/items/:id/listing': { who: everyone, path: '/api/v1/items/itm_NOPE/listing', status: 404 },
    'PUT /api/v1/items/:id/listing': { who: managers, path: '/api/v1/items/itm_NOPE/listing', body: { google: true }, status: 404 },
    'GET /api/v1/products/:id/listing': { who: everyone, path: '/api/v1/products/pdt_NOPE/listing', status: 404 },
    'PUT /api/v1/products/:id/listing': { who: managers, path: '/api/v1/products/pdt_NOPE/listing', body: { brand: 'x' }, status: 404 },
    'POST /api/v1/imports/items/preview': { who: managers, path: '/api/v1/imports/items/preview', status: 422 },
    'POST /api/v1/imports/items': { who: managers, path: '/api/v1/imports/items', status: 422 },
    'GET /api/v1/imports': { who: managers, path: '/api/v1/imports', status: 200 },
    'GET /api/v1/imports/:id': { who: managers, path: '/api/v1/imports/imp_NOPE', status: 404 },
    'GET /api/v1/exports/items': { who: everyone, path: '/api/v1/exports/items', status: 200 },
    'POST /api/v1/imports/vendors': { who: managers, path: '/api/v1/imports/vendors', status: 422 },
    'POST /api/v1/imports/vendor-prices': { who: managers, path: '/api/v1/imports/vendor-prices', status: 422 },
    'POST /api/v1/imports/stock-levels': { who: managers, path: '/api/v1/imports/stock-levels', status: 422 },
    'POST /api/v1/imports/opening-stock': { who: managers, path: '/api/v1/imports/opening-stock', status: 422 },
    'POST /api/v1/imports/units': { who: managers, path: '/api/v1/imports/units', status: 422 },
    'GET /api/v1/exports/vendors': { who: workers, path: '/api/v1/exports/vendors', status: 200 },
    'GET /api/v1/exports/vendor-prices': { who: workers, path: '/api/v1/exports/vendor-prices', status: 200 },
    'GET /api/v1/exports/stock-levels': { who: everyone, path: '/api/v1/exports/stock-levels', status: 200 },
    'GET /api/v1/exports/opening-stock': { who: everyone, path: '/api/v1/exports/opening-stock', status: 200 },
    'GET /api/v1/exports/units': { who: everyone, path: '/api/v1/exports/units', status: 200 },

    'GET /api/v1/balances': {
      who: everyone,
      path: '/api/v1/balances',
      status: 200,
      otherSite: { path: `/api/v1/balances?location_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/movements': {
      who: everyone,
      path: '/api/v1/movements',
      status: 200,
      otherSite: { path: `/api/v1/movements?location_id=${f.binB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/lots': { who: everyone, path: '/api/v1/lots?item_id=itm_NOPE', status: 200 },
    'GET /api/v1/reservations': {
      who: everyone,
      path: '/api/v1/reservations',
      status: 200,
      otherSite: { path: `/api/v1/reservations?location_id=${f.siteB}`, owner: 200, restricted: 403 },
    },

    'POST /api/v1/adjustments': {
      who: workers,
      path: '/api/v1/adjustments',
      body: {},
      status: 400,
      otherSite: { path: '/api/v1/adjustments', body: adjustmentAtB, owner: 422, restricted: 403 },
    },
    'GET /api/v1/adjustments': {
      who: everyone,
      path: '/api/v1/adjustments',
      status: 200,
      otherSite: { path: `/api/v1/adjustments?location_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/adjustments/:id': {
      who: everyone,
      path: '/api/v1/adjustments/adj_NOPE',
      status: 404,
      otherSite: { path: `/api/v1/adjustments/${f.adjustmentB}`, owner: 200, restricted: 404 },
    },
    'POST /api/v1/adjustments/:id/reverse': {
      who: workers,
      path: '/api/v1/adjustments/adj_NOPE/reverse',
      body: {},
      status: 404,
      otherSite: { path: `/api/v1/adjustments/${f.adjustmentB}/reverse`, body: { note: 'matrix' }, owner: 409, restricted: 404 },
    },

    'POST /api/v1/counts': {
      who: workers,
      path: '/api/v1/counts',
      body: {},
      status: 400,
      otherSite: { path: '/api/v1/counts', body: { site_id: f.siteB, kind: 'full' }, owner: 201, restricted: 403 },
    },
    'GET /api/v1/counts': {
      who: everyone,
      path: '/api/v1/counts',
      status: 200,
      otherSite: { path: `/api/v1/counts?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/counts/:id': {
      who: everyone,
      path: '/api/v1/counts/cnt_NOPE',
      status: 404,
      otherSite: { path: `/api/v1/counts/${f.countB}`, owner: 200, restricted: 404 },
    },
    'POST /api/v1/counts/:id/cancel': {
      who: managers,
      path: '/api/v1/counts/cnt_NOPE/cancel',
      status: 404,
      otherSite: { path: `/api/v1/counts/${f.cancelledCountB}/cancel`, owner: 409, restricted: 404 },
    },
    'GET /api/v1/counts/:id/pdf': {
      who: workers,
      path: '/api/v1/counts/cnt_NOPE/pdf',
      status: 404,
      otherSite: { path: `/api/v1/counts/${f.countB}/pdf`, owner: 200, restricted: 404 },
    },
    'POST /api/v1/counts/:id/lines': {
      who: workers,
      path: '/api/v1/counts/cnt_NOPE/lines',
      body: {},
      status: 400,
      otherSite: { path: `/api/v1/counts/${f.countB}/lines`, body: { lines: [{ location_id: f.binB, item_id: 'itm_NOPE', qty: 1 }] }, owner: 422, restricted: 404 },
    },
    'POST /api/v1/counts/:id/scans': {
      who: workers,
      path: '/api/v1/counts/cnt_NOPE/scans',
      body: {},
      status: 400,
      otherSite: { path: `/api/v1/counts/${f.countB}/scans`, body: { location_id: f.binB, code: 'MATRIX-UNKNOWN' }, owner: 200, restricted: 404 },
    },
    'POST /api/v1/counts/:id/unknown-scans/:scan_id/resolve': {
      who: managers,
      path: '/api/v1/counts/cnt_NOPE/unknown-scans/cnu_NOPE/resolve',
      body: { dismiss: true },
      status: 404,
    },
    'POST /api/v1/counts/:id/submit': {
      who: workers,
      path: '/api/v1/counts/cnt_NOPE/submit',
      body: {},
      status: 404,
      otherSite: { path: `/api/v1/counts/${f.cancelledCountB}/submit`, body: {}, owner: 409, restricted: 404 },
    },
    'POST /api/v1/counts/:id/approve': {
      who: managers,
      path: '/api/v1/counts/cnt_NOPE/approve',
      body: {},
      status: 404,
      otherSite: { path: `/api/v1/counts/${f.countB}/approve`, body: {}, owner: 409, restricted: 404 },
    },
    'GET /api/v1/counts/needs-count': {
      who: workers,
      path: '/api/v1/counts/needs-count',
      status: 400,
      otherSite: { path: `/api/v1/counts/needs-count?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/counts/cycle-plan': {
      who: workers,
      path: '/api/v1/counts/cycle-plan',
      status: 400,
      otherSite: { path: `/api/v1/counts/cycle-plan?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/counts/:id/variances': {
      who: everyone,
      path: '/api/v1/counts/cnt_NOPE/variances',
      status: 404,
      otherSite: { path: `/api/v1/counts/${f.countB}/variances`, owner: 200, restricted: 404 },
    },
    'GET /api/v1/count-settings/:id': {
      who: everyone,
      path: '/api/v1/count-settings/loc_NOPE',
      status: 404,
      otherSite: { path: `/api/v1/count-settings/${f.siteB}`, owner: 200, restricted: 403 },
    },
    'PATCH /api/v1/count-settings/:id': {
      who: managers,
      path: '/api/v1/count-settings/loc_NOPE',
      body: {},
      status: 404,
      otherSite: { path: `/api/v1/count-settings/${f.siteB}`, body: { require_second_person: false }, owner: 200, restricted: 403 },
    },
    'GET /api/v1/reports/count-variances': {
      who: costReaders,
      path: '/api/v1/reports/count-variances?from=2026-11-01&to=2026-11-07',
      status: 200,
      otherSite: { path: `/api/v1/reports/count-variances?from=2026-11-01&to=2026-11-07&site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/reports/shrinkage': {
      who: costReaders,
      path: '/api/v1/reports/shrinkage?from=2026-11-01&to=2026-11-07',
      status: 200,
      otherSite: { path: `/api/v1/reports/shrinkage?from=2026-11-01&to=2026-11-07&site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/items/:id/count-history': { who: everyone, path: '/api/v1/items/itm_NOPE/count-history', status: 404 },
    'GET /api/v1/items/:id/costs': { who: costReaders, path: '/api/v1/items/itm_NOPE/costs', status: 404 },
    'GET /api/v1/reports/valuation': {
      who: costReaders,
      path: '/api/v1/reports/valuation',
      status: 200,
      otherSite: { path: `/api/v1/reports/valuation?location_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/reports/stock-alerts': {
      who: everyone,
      path: '/api/v1/reports/stock-alerts',
      status: 200,
      otherSite: { path: `/api/v1/reports/stock-alerts?location_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/reports/sales-by-day': {
      who: workers,
      path: '/api/v1/reports/sales-by-day?from=2026-11-01&to=2026-11-07',
      status: 200,
      otherSite: { path: `/api/v1/reports/sales-by-day?from=2026-11-01&to=2026-11-07&location_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/items/:id/sales': {
      who: workers,
      path: '/api/v1/items/itm_NOPE/sales?from=2026-11-01&to=2026-11-07',
      status: 404,
      otherSite: { path: `/api/v1/items/itm_NOPE/sales?from=2026-11-01&to=2026-11-07&location_id=${f.siteB}`, owner: 404, restricted: 403 },
    },
    'GET /api/v1/reports/stock-value-history': { who: costReaders, path: '/api/v1/reports/stock-value-history', status: 200 },
    // The standard reports: inventory change is values only (cost readers); the rest are open to
    // everyone, their cost columns dropped for staff. Each has an export with the same filters.
    ...Object.fromEntries(
      (
        [
          ['inventory-change', costReaders, 'from=2026-11-01&to=2026-11-07'],
          ['profitability', everyone, 'from=2026-11-01&to=2026-11-07'],
          ['sales', everyone, 'from=2026-11-01&to=2026-11-07&by=hour'],
          ['abc', everyone, 'from=2026-11-01&to=2026-11-07'],
          ['sell-through', everyone, 'from=2026-11-01&to=2026-11-07'],
          ['losses', everyone, 'from=2026-11-01&to=2026-11-07'],
          ['discounts', everyone, 'from=2026-11-01&to=2026-11-07'],
          ['dead-stock', everyone, 'days=30'],
          ['expiring-lots', everyone, 'days=30'],
          ['low-stock', everyone, ''],
        ] as const
      ).flatMap(([name, who, query]) =>
        ['', '/export'].map((tail) => [
          `GET /api/v1/reports/${name}${tail}`,
          {
            who,
            path: `/api/v1/reports/${name}${tail}?${query}`,
            status: 200,
            otherSite: { path: `/api/v1/reports/${name}${tail}?${query}${query ? '&' : ''}site_id=${f.siteB}`, owner: 200, restricted: 403 as const },
          },
        ]),
      ),
    ),
    // The report builder: open to everyone who reads stock (cost measures dropped for staff); a
    // site in its filters that the caller is not granted is a site it cannot see (404).
    ...Object.fromEntries(
      ['run', 'export'].map((tail) => [
        `POST /api/v1/reports/custom/${tail}`,
        {
          who: everyone,
          path: `/api/v1/reports/custom/${tail}`,
          body: {},
          status: 400,
          otherSite: { path: `/api/v1/reports/custom/${tail}`, body: { dataset: 'balances', measures: ['count'], filters: { site_id: f.siteB } }, owner: 200, restricted: 404 as const },
        },
      ]),
    ),
    'GET /api/v1/reports/valuation/export': {
      who: costReaders,
      path: '/api/v1/reports/valuation/export',
      status: 200,
      otherSite: { path: `/api/v1/reports/valuation/export?location_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    // Saved reports: read and run by everyone who reads stock (a run is the caller's own: their
    // sites, no costs for staff); saved, shared and scheduled by owners and managers.
    'GET /api/v1/saved-reports': { who: everyone, path: '/api/v1/saved-reports', status: 200 },
    'POST /api/v1/saved-reports': {
      who: managers,
      path: '/api/v1/saved-reports',
      body: {},
      status: 400,
      otherSite: { path: '/api/v1/saved-reports', body: { name: 'matrix', definition: { dataset: 'balances', measures: ['count'], filters: { site_id: f.siteB } } }, owner: 201, restricted: 404 },
    },
    'GET /api/v1/saved-reports/:id': { who: everyone, path: '/api/v1/saved-reports/srp_NOPE', status: 404 },
    'PATCH /api/v1/saved-reports/:id': { who: managers, path: '/api/v1/saved-reports/srp_NOPE', body: { name: 'matrix' }, status: 404 },
    'DELETE /api/v1/saved-reports/:id': { who: managers, path: '/api/v1/saved-reports/srp_NOPE', status: 404 },
    'GET /api/v1/saved-reports/:id/run': { who: everyone, path: '/api/v1/saved-reports/srp_NOPE/run', status: 404 },
    'GET /api/v1/saved-reports/:id/export': { who: everyone, path: '/api/v1/saved-reports/srp_NOPE/export', status: 404 },
    'POST /api/v1/saved-reports/:id/schedules': { who: managers, path: '/api/v1/saved-reports/srp_NOPE/schedules', body: { frequency: 'daily', hour: 6, recipients: ['a@shop.example'] }, status: 404 },
    'PATCH /api/v1/saved-reports/:id/schedules/:schedule_id': { who: managers, path: '/api/v1/saved-reports/srp_NOPE/schedules/rsc_NOPE', body: { hour: 7 }, status: 404 },
    'DELETE /api/v1/saved-reports/:id/schedules/:schedule_id': { who: managers, path: '/api/v1/saved-reports/srp_NOPE/schedules/rsc_NOPE', status: 404 },
    'GET /api/v1/settings': { who: everyone, path: '/api/v1/settings', status: 200 },
    'PATCH /api/v1/settings': { who: owners, path: '/api/v1/settings', body: {}, status: 400 },
    'GET /api/v1/tax-rates': { who: everyone, path: '/api/v1/tax-rates', status: 200 },
    'POST /api/v1/tax-rates': { who: managers, path: '/api/v1/tax-rates', body: {}, status: 400 },
    'PATCH /api/v1/tax-rates/:id': { who: managers, path: '/api/v1/tax-rates/txr_NOPE', body: { name: 'x' }, status: 404 },
    'DELETE /api/v1/tax-rates/:id': { who: managers, path: '/api/v1/tax-rates/txr_NOPE', status: 404 },
    'GET /api/v1/tax-rules': { who: everyone, path: '/api/v1/tax-rules', status: 200 },
    'PUT /api/v1/tax-rules': {
      who: managers,
      path: '/api/v1/tax-rules',
      body: {},
      status: 400,
      otherSite: { path: '/api/v1/tax-rules', body: { site_id: f.siteB, tax_rate_id: null }, owner: 200, restricted: 403 },
    },
    'GET /api/v1/items/:id/tax': { who: everyone, path: '/api/v1/items/itm_NOPE/tax', status: 404 },
    'PUT /api/v1/items/:id/tax': { who: managers, path: '/api/v1/items/itm_NOPE/tax', body: { exempt: true }, status: 404 },
    'GET /api/v1/tax-table': {
      who: everyone,
      path: '/api/v1/tax-table',
      status: 400,
      otherSite: { path: `/api/v1/tax-table?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },

    'POST /api/v1/vendors': { who: managers, path: '/api/v1/vendors', body: {}, status: 400 },
    'GET /api/v1/vendors': { who: workers, path: '/api/v1/vendors', status: 200 },
    'GET /api/v1/vendors/:id': { who: workers, path: '/api/v1/vendors/ven_NOPE', status: 404 },
    'PATCH /api/v1/vendors/:id': { who: managers, path: '/api/v1/vendors/ven_NOPE', body: { name: 'x' }, status: 404 },
    'DELETE /api/v1/vendors/:id': { who: managers, path: '/api/v1/vendors/ven_NOPE', status: 404 },
    'PUT /api/v1/vendors/:id/items/:item_id': { who: managers, path: '/api/v1/vendors/ven_NOPE/items/itm_NOPE', body: {}, status: 400 },
    'DELETE /api/v1/vendors/:id/items/:item_id': { who: managers, path: '/api/v1/vendors/ven_NOPE/items/itm_NOPE', status: 404 },
    'GET /api/v1/vendors/:id/items': { who: workers, path: '/api/v1/vendors/ven_NOPE/items', status: 404 },
    'GET /api/v1/items/:id/vendors': { who: workers, path: '/api/v1/items/itm_NOPE/vendors', status: 404 },
    'POST /api/v1/exchange-rates': { who: owners, path: '/api/v1/exchange-rates', body: {}, status: 400 },
    'GET /api/v1/exchange-rates': { who: workers, path: '/api/v1/exchange-rates', status: 200 },

    'POST /api/v1/purchase-orders': { who: managers, path: '/api/v1/purchase-orders', body: {}, status: 400 },
    'GET /api/v1/purchase-orders': { who: workers, path: '/api/v1/purchase-orders', status: 200 },
    'GET /api/v1/purchase-orders/:id': { who: workers, path: '/api/v1/purchase-orders/po_NOPE', status: 404 },
    'PATCH /api/v1/purchase-orders/:id': { who: managers, path: '/api/v1/purchase-orders/po_NOPE', body: { notes: 'x' }, status: 404 },
    'POST /api/v1/purchase-orders/:id/lines': { who: managers, path: '/api/v1/purchase-orders/po_NOPE/lines', body: {}, status: 400 },
    'PATCH /api/v1/purchase-orders/:id/lines/:line_id': { who: managers, path: '/api/v1/purchase-orders/po_NOPE/lines/pol_NOPE', body: { qty: 1 }, status: 404 },
    'DELETE /api/v1/purchase-orders/:id/lines/:line_id': { who: managers, path: '/api/v1/purchase-orders/po_NOPE/lines/pol_NOPE', status: 404 },
    'POST /api/v1/purchase-orders/:id/send': { who: managers, path: '/api/v1/purchase-orders/po_NOPE/send', status: 404 },
    'POST /api/v1/purchase-orders/:id/cancel': { who: managers, path: '/api/v1/purchase-orders/po_NOPE/cancel', status: 404 },
    'POST /api/v1/purchase-orders/:id/close': { who: managers, path: '/api/v1/purchase-orders/po_NOPE/close', status: 404 },
    'GET /api/v1/purchase-orders/:id/revisions': { who: workers, path: '/api/v1/purchase-orders/po_NOPE/revisions', status: 404 },
    'GET /api/v1/purchase-orders/:id/pdf': { who: workers, path: '/api/v1/purchase-orders/po_NOPE/pdf', status: 404 },
    'GET /api/v1/purchase-orders/:id/csv': { who: workers, path: '/api/v1/purchase-orders/po_NOPE/csv', status: 404 },

    'POST /api/v1/receipts': { who: workers, path: '/api/v1/receipts', body: {}, status: 422 },
    'GET /api/v1/receipts': { who: workers, path: '/api/v1/receipts', status: 200 },
    'GET /api/v1/receipts/:id': { who: workers, path: '/api/v1/receipts/rcp_NOPE', status: 404 },
    'PATCH /api/v1/receipts/:id': { who: workers, path: '/api/v1/receipts/rcp_NOPE', body: { notes: 'x' }, status: 404 },
    'POST /api/v1/receipts/:id/lines': { who: workers, path: '/api/v1/receipts/rcp_NOPE/lines', body: {}, status: 400 },
    'PATCH /api/v1/receipts/:id/lines/:line_id': { who: workers, path: '/api/v1/receipts/rcp_NOPE/lines/rcl_NOPE', body: { qty: 1 }, status: 404 },
    'DELETE /api/v1/receipts/:id/lines/:line_id': { who: workers, path: '/api/v1/receipts/rcp_NOPE/lines/rcl_NOPE', status: 404 },
    'POST /api/v1/receipts/:id/post': { who: workers, path: '/api/v1/receipts/rcp_NOPE/post', status: 404 },
    'POST /api/v1/receipts/:id/approve': { who: managers, path: '/api/v1/receipts/rcp_NOPE/approve', status: 404 },
    'POST /api/v1/receipts/:id/reject': { who: managers, path: '/api/v1/receipts/rcp_NOPE/reject', status: 404 },
    'POST /api/v1/receipts/:id/cancel': { who: workers, path: '/api/v1/receipts/rcp_NOPE/cancel', status: 404 },
    'POST /api/v1/receipts/:id/scans': { who: workers, path: '/api/v1/receipts/rcp_NOPE/scans', body: {}, status: 400 },
    'POST /api/v1/receipts/:id/landed-costs': { who: managers, path: '/api/v1/receipts/rcp_NOPE/landed-costs', body: {}, status: 400 },
    'POST /api/v1/vendor-returns': { who: workers, path: '/api/v1/vendor-returns', body: { vendor_id: 'ven_NOPE', site_id: f.siteB, reason: 'other', lines: [{ item_id: 'itm_NOPE', qty: 1 }] }, status: 404 },
    'GET /api/v1/vendor-returns': { who: workers, path: '/api/v1/vendor-returns', status: 200 },
    'GET /api/v1/vendor-returns/:id': { who: workers, path: '/api/v1/vendor-returns/vrt_NOPE', status: 404 },
    'POST /api/v1/vendor-returns/:id/post': { who: workers, path: '/api/v1/vendor-returns/vrt_NOPE/post', status: 404 },
    'POST /api/v1/vendor-returns/:id/cancel': { who: workers, path: '/api/v1/vendor-returns/vrt_NOPE/cancel', status: 404 },
    'POST /api/v1/landed-costs': { who: managers, path: '/api/v1/landed-costs', body: {}, status: 400 },
    'GET /api/v1/reports/vendor-performance': { who: costReaders, path: '/api/v1/reports/vendor-performance?from=2026-01-01&to=2026-12-31', status: 200 },
    'POST /api/v1/scan/resolve': { who: everyone, path: '/api/v1/scan/resolve', body: {}, status: 400 },

    'POST /api/v1/channels': { who: managers, path: '/api/v1/channels', body: {}, status: 400 },
    'GET /api/v1/channels': { who: workers, path: '/api/v1/channels', status: 200 },
    'GET /api/v1/channels/:id': { who: workers, path: '/api/v1/channels/chn_NOPE', status: 404 },
    'PATCH /api/v1/channels/:id': { who: managers, path: '/api/v1/channels/chn_NOPE', body: { name: 'x' }, status: 404 },
    'PUT /api/v1/channels/:id/buffers/:item_id': { who: managers, path: '/api/v1/channels/chn_NOPE/buffers/itm_NOPE', body: { qty: 1 }, status: 404 },
    'GET /api/v1/channels/:id/availability': { who: workers, path: '/api/v1/channels/chn_NOPE/availability', status: 404 },
    'GET /api/v1/outbox': { who: workers, path: '/api/v1/outbox', status: 200 },
    'POST /api/v1/orders': { who: workers, path: '/api/v1/orders', body: {}, status: 400 },
    'GET /api/v1/orders': { who: workers, path: '/api/v1/orders', status: 200 },
    'GET /api/v1/orders/:id': { who: workers, path: '/api/v1/orders/ord_NOPE', status: 404 },
    'POST /api/v1/orders/:id/allocate': { who: workers, path: '/api/v1/orders/ord_NOPE/allocate', status: 404 },
    'POST /api/v1/orders/:id/confirm': { who: workers, path: '/api/v1/orders/ord_NOPE/confirm', status: 404 },
    'POST /api/v1/orders/:id/cancel': { who: workers, path: '/api/v1/orders/ord_NOPE/cancel', body: { reason: 'matrix' }, status: 404 },
    'POST /api/v1/orders/:id/pick-lists': { who: workers, path: '/api/v1/orders/ord_NOPE/pick-lists', body: {}, status: 404 },
    'GET /api/v1/orders/:id/pick-lists': { who: workers, path: '/api/v1/orders/ord_NOPE/pick-lists', status: 404 },
    'GET /api/v1/orders/:id/shipments': { who: workers, path: '/api/v1/orders/ord_NOPE/shipments', status: 404 },
    'GET /api/v1/pick-lists/:id': { who: workers, path: '/api/v1/pick-lists/pck_NOPE', status: 404 },
    'POST /api/v1/pick-lists/:id/picked': { who: workers, path: '/api/v1/pick-lists/pck_NOPE/picked', body: {}, status: 404 },
    'POST /api/v1/pick-lists/:id/shipments': { who: workers, path: '/api/v1/pick-lists/pck_NOPE/shipments', body: {}, status: 400 },
    'GET /api/v1/shipments/:id': { who: workers, path: '/api/v1/shipments/shp_NOPE', status: 404 },
    'POST /api/v1/shipments/:id/ship': { who: workers, path: '/api/v1/shipments/shp_NOPE/ship', body: {}, status: 400 },
    'POST /api/v1/shipments/:id/delivered': { who: workers, path: '/api/v1/shipments/shp_NOPE/delivered', body: {}, status: 404 },
    'POST /api/v1/shipments/:id/cancel': { who: workers, path: '/api/v1/shipments/shp_NOPE/cancel', body: {}, status: 404 },
    'POST /api/v1/sales': { who: workers, path: '/api/v1/sales', body: {}, status: 400 },
    'GET /api/v1/sales': { who: workers, path: '/api/v1/sales', status: 200 },
    'GET /api/v1/sales/:id': { who: workers, path: '/api/v1/sales/sal_NOPE', status: 404 },
    'POST /api/v1/sales/:id/void': { who: workers, path: '/api/v1/sales/sal_NOPE/void', body: { reason: 'matrix' }, status: 404 },
    'POST /api/v1/returns': { who: workers, path: '/api/v1/returns', body: {}, status: 400 },
    'GET /api/v1/returns/:id': { who: workers, path: '/api/v1/returns/ret_NOPE', status: 404 },
    'POST /api/v1/exchanges': { who: workers, path: '/api/v1/exchanges', body: {}, status: 400 },
    'GET /api/v1/exchanges/:id': { who: workers, path: '/api/v1/exchanges/exc_NOPE', status: 404 },
    'GET /api/v1/reports/modifier-sales': { who: costReaders, path: '/api/v1/reports/modifier-sales?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z', status: 200 },
    'POST /api/v1/modifier-groups': { who: managers, path: '/api/v1/modifier-groups', body: {}, status: 400 },
    'GET /api/v1/modifier-groups': { who: everyone, path: '/api/v1/modifier-groups', status: 200 },
    'GET /api/v1/modifier-groups/:id': { who: everyone, path: '/api/v1/modifier-groups/mgr_NOPE', status: 404 },
    'PUT /api/v1/items/:id/modifier-groups': { who: managers, path: '/api/v1/items/itm_NOPE/modifier-groups', body: { group_ids: [] }, status: 404 },
    'GET /api/v1/items/:id/modifier-groups': { who: everyone, path: '/api/v1/items/itm_NOPE/modifier-groups', status: 404 },

    'GET /api/v1/users': { who: managers, path: '/api/v1/users', status: 200 },
    'POST /api/v1/users': { who: managers, path: '/api/v1/users', body: {}, status: 400 },
    'GET /api/v1/users/:id': { who: managers, path: '/api/v1/users/usr_NOPE', status: 404 },
    'PATCH /api/v1/users/:id': { who: managers, path: '/api/v1/users/usr_NOPE', body: { name: 'x' }, status: 404 },
    'POST /api/v1/users/:id/disable': { who: managers, path: '/api/v1/users/usr_NOPE/disable', status: 404 },
    'POST /api/v1/users/:id/enable': { who: managers, path: '/api/v1/users/usr_NOPE/enable', status: 404 },
    'POST /api/v1/users/:id/password': { who: managers, path: '/api/v1/users/usr_NOPE/password', body: { password: 'x' }, status: 404 },

    'POST /api/v1/tokens': { who: managers, path: '/api/v1/tokens', body: {}, status: 400 },
    'GET /api/v1/tokens': { who: managers, path: '/api/v1/tokens', status: 200 },
    'GET /api/v1/tokens/:id': { who: managers, path: '/api/v1/tokens/tok_NOPE', status: 404 },
    'DELETE /api/v1/tokens/:id': { who: managers, path: '/api/v1/tokens/tok_NOPE', status: 404 },
    'POST /api/v1/oauth/clients': { who: owners, path: '/api/v1/oauth/clients', body: {}, status: 400 },
    'GET /api/v1/oauth/clients': { who: owners, path: '/api/v1/oauth/clients', status: 200 },
    'GET /api/v1/oauth/clients/:id': { who: owners, path: '/api/v1/oauth/clients/oac_NOPE', status: 404 },
    'DELETE /api/v1/oauth/clients/:id': { who: owners, path: '/api/v1/oauth/clients/oac_NOPE', status: 404 },
    'GET /api/v1/oauth/authorize': { who: everyone, path: '/api/v1/oauth/authorize', status: 400 },
    'POST /api/v1/oauth/authorize': { who: everyone, path: '/api/v1/oauth/authorize', body: {}, status: 400 },
    'POST /api/v1/oauth/token': { who: 'public', path: '/api/v1/oauth/token', body: {}, status: 400 },
    'GET /api/v1/users/:id/linked-apps': { who: everyone, path: '/api/v1/users/usr_NOPE/linked-apps', status: 404 },
    'DELETE /api/v1/oauth/linked-apps/:id': { who: everyone, path: '/api/v1/oauth/linked-apps/oag_NOPE', status: 404 },

    'GET /api/v1/audit-events': { who: managers, path: '/api/v1/audit-events', status: 200 },
    'GET /api/v1/webhook-event-types': { who: managers, path: '/api/v1/webhook-event-types', status: 200 },
    'POST /api/v1/webhook-subscriptions': { who: managers, path: '/api/v1/webhook-subscriptions', body: {}, status: 400 },
    'GET /api/v1/webhook-subscriptions': { who: managers, path: '/api/v1/webhook-subscriptions', status: 200 },
    'GET /api/v1/webhook-subscriptions/:id': { who: managers, path: '/api/v1/webhook-subscriptions/whs_NOPE', status: 404 },
    'PATCH /api/v1/webhook-subscriptions/:id': { who: managers, path: '/api/v1/webhook-subscriptions/whs_NOPE', body: { description: 'matrix' }, status: 404 },
    'DELETE /api/v1/webhook-subscriptions/:id': { who: managers, path: '/api/v1/webhook-subscriptions/whs_NOPE', status: 404 },
    'POST /api/v1/webhook-subscriptions/:id/rotate-secret': { who: managers, path: '/api/v1/webhook-subscriptions/whs_NOPE/rotate-secret', body: {}, status: 404 },
    'POST /api/v1/webhook-subscriptions/:id/test': { who: managers, path: '/api/v1/webhook-subscriptions/whs_NOPE/test', body: {}, status: 404 },
    'GET /api/v1/deliveries': { who: managers, path: '/api/v1/deliveries', status: 200 },
    'GET /api/v1/deliveries/:id': { who: managers, path: '/api/v1/deliveries/dlv_NOPE', status: 404 },
    'POST /api/v1/deliveries/:id/redeliver': { who: managers, path: '/api/v1/deliveries/dlv_NOPE/redeliver', body: {}, status: 404 },
    'GET /api/v1/delivery-destinations': { who: managers, path: '/api/v1/delivery-destinations', status: 200 },
    'POST /api/v1/delivery-destinations/pause': { who: managers, path: '/api/v1/delivery-destinations/pause', body: {}, status: 400 },
    'POST /api/v1/delivery-destinations/resume': { who: managers, path: '/api/v1/delivery-destinations/resume', body: {}, status: 400 },
    'GET /api/v1/notification-settings': { who: owners, path: '/api/v1/notification-settings', status: 200 },
    'PATCH /api/v1/notification-settings': { who: owners, path: '/api/v1/notification-settings', body: {}, status: 400 },

    'GET /api/v1/notifications': { who: everyone, path: '/api/v1/notifications', status: 200 },
    'POST /api/v1/notifications/read': { who: everyone, path: '/api/v1/notifications/read', body: {}, status: 400 },
    'GET /api/v1/alert-subscriptions': { who: everyone, path: '/api/v1/alert-subscriptions', status: 200 },
    'POST /api/v1/alert-subscriptions': { who: everyone, path: '/api/v1/alert-subscriptions', body: {}, status: 400 },
    'DELETE /api/v1/alert-subscriptions/:id': { who: everyone, path: '/api/v1/alert-subscriptions/asb_NOPE', status: 404 },
    'GET /api/v1/alert-preferences': { who: everyone, path: '/api/v1/alert-preferences', status: 200 },
    'PUT /api/v1/alert-preferences': { who: everyone, path: '/api/v1/alert-preferences', body: { user_id: 'usr_NOPE' }, status: 404 },
    'GET /api/v1/alert-rules': { who: everyone, path: '/api/v1/alert-rules', status: 200 },
    'PATCH /api/v1/alert-rules/:rule': { who: owners, path: '/api/v1/alert-rules/low_stock', body: {}, status: 400 },

    'GET /api/v1/stock-levels': {
      who: everyone,
      path: '/api/v1/stock-levels',
      status: 200,
      otherSite: { path: `/api/v1/stock-levels?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/stock-levels/:item_id/:location_id': { who: everyone, path: '/api/v1/stock-levels/itm_NOPE/loc_NOPE', status: 404 },
    'PUT /api/v1/stock-levels/:item_id/:location_id': { who: managers, path: '/api/v1/stock-levels/itm_NOPE/loc_NOPE', body: {}, status: 400 },
    'POST /api/v1/stock-levels/bulk': { who: managers, path: '/api/v1/stock-levels/bulk', body: {}, status: 400 },
    'POST /api/v1/stock-levels/suggest': { who: managers, path: '/api/v1/stock-levels/suggest', body: {}, status: 400 },
    'GET /api/v1/replenishment/proposals': {
      who: workers,
      path: '/api/v1/replenishment/proposals',
      status: 200,
      otherSite: { path: `/api/v1/replenishment/proposals?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'POST /api/v1/replenishment/purchase-orders': { who: managers, path: '/api/v1/replenishment/purchase-orders', body: {}, status: 400 },
    'POST /api/v1/replenishment/transfers': { who: workers, path: '/api/v1/replenishment/transfers', body: {}, status: 400 },
    'GET /api/v1/replenishment/schedule': { who: workers, path: '/api/v1/replenishment/schedule', status: 200 },
    'PUT /api/v1/replenishment/schedule': { who: owners, path: '/api/v1/replenishment/schedule', body: {}, status: 400 },
    'GET /api/v1/items/:id/forecast': { who: everyone, path: '/api/v1/items/itm_NOPE/forecast', status: 404 },
    'GET /api/v1/reports/forecast-accuracy': { who: costReaders, path: '/api/v1/reports/forecast-accuracy', status: 200 },

    'POST /api/v1/pricing/preview': { who: costReaders, path: '/api/v1/pricing/preview', body: {}, status: 400 },
    'POST /api/v1/pricing/apply': { who: managers, path: '/api/v1/pricing/apply', body: {}, status: 400 },
    'GET /api/v1/items/:id/price-history': { who: costReaders, path: '/api/v1/items/itm_NOPE/price-history', status: 404 },
    'GET /api/v1/pricing/margin-alerts': { who: costReaders, path: '/api/v1/pricing/margin-alerts', status: 200 },
    'POST /api/v1/labels': { who: everyone, path: '/api/v1/labels', body: {}, status: 400 },
    'POST /api/v1/labels/print': { who: everyone, path: '/api/v1/labels/print', body: {}, status: 400 },

    'GET /api/v1/items/:id/boms': { who: everyone, path: '/api/v1/items/itm_NOPE/boms', status: 404 },
    'POST /api/v1/items/:id/boms': { who: managers, path: '/api/v1/items/itm_NOPE/boms', body: {}, status: 400 },
    'GET /api/v1/items/:id/bom-tree': { who: everyone, path: '/api/v1/items/itm_NOPE/bom-tree', status: 404 },
    'GET /api/v1/boms/:id': { who: everyone, path: '/api/v1/boms/bom_NOPE', status: 404 },
    'POST /api/v1/production-orders': {
      who: workers,
      path: '/api/v1/production-orders',
      body: {},
      status: 400,
      otherSite: { path: '/api/v1/production-orders', body: { item_id: 'itm_NOPE', site_id: f.siteB, qty: 1 }, owner: 422, restricted: 403 },
    },
    'GET /api/v1/production-orders': {
      who: everyone,
      path: '/api/v1/production-orders',
      status: 200,
      otherSite: { path: `/api/v1/production-orders?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/production-orders/:id': { who: everyone, path: '/api/v1/production-orders/prd_NOPE', status: 404 },
    ...Object.fromEntries(
      (['start', 'complete', 'close', 'cancel'] as const).map((action) => [
        `POST /api/v1/production-orders/:id/${action}`,
        { who: workers, path: `/api/v1/production-orders/prd_NOPE/${action}`, body: action === 'complete' ? { qty_produced: 1 } : {}, status: 404 },
      ]),
    ),
    'GET /api/v1/production/plan': {
      who: everyone,
      path: '/api/v1/production/plan',
      status: 400,
      otherSite: { path: `/api/v1/production/plan?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'POST /api/v1/production/plan': { who: workers, path: '/api/v1/production/plan', body: {}, status: 400 },
    'POST /api/v1/disassemblies': { who: workers, path: '/api/v1/disassemblies', body: {}, status: 400 },
    'GET /api/v1/disassemblies/:id': { who: everyone, path: '/api/v1/disassemblies/dis_NOPE', status: 404 },

    'POST /api/v1/transfers': {
      who: workers,
      path: '/api/v1/transfers',
      body: {},
      status: 400,
      otherSite: { path: '/api/v1/transfers', body: { source_site_id: f.siteB, destination_site_id: f.siteC, lines: [{ item_id: 'itm_NOPE', qty: 1 }] }, owner: 422, restricted: 403 },
    },
    'GET /api/v1/transfers': {
      who: everyone,
      path: '/api/v1/transfers',
      status: 200,
      otherSite: { path: `/api/v1/transfers?site_id=${f.siteB}`, owner: 200, restricted: 403 },
    },
    'GET /api/v1/transfers/:id': {
      who: everyone,
      path: '/api/v1/transfers/trf_NOPE',
      status: 404,
      otherSite: { path: `/api/v1/transfers/${f.transferB}`, owner: 200, restricted: 404 },
    },
    'GET /api/v1/transfers/:id/packing-slip': {
      who: everyone,
      path: '/api/v1/transfers/trf_NOPE/packing-slip',
      status: 404,
      otherSite: { path: `/api/v1/transfers/${f.transferB}/packing-slip`, owner: 200, restricted: 404 },
    },
    ...Object.fromEntries(
      (['accept', 'ship', 'receive', 'close', 'cancel', 'picks'] as const).map((action) => [
        `POST /api/v1/transfers/:id/${action}`,
        {
          who: workers,
          path: `/api/v1/transfers/trf_NOPE/${action}`,
          body: {},
          status: 404,
          otherSite: { path: `/api/v1/transfers/${f.transferB}/${action}`, body: {}, owner: 409, restricted: 404 },
        } satisfies Row,
      ]),
    ),
    'POST /api/v1/bin-moves': {
      who: workers,
      path: '/api/v1/bin-moves',
      body: {},
      status: 400,
      otherSite: { path: '/api/v1/bin-moves', body: { from_location_id: f.binB, to_location_id: f.binB, lines: [{ item_id: 'itm_NOPE', qty: 1 }] }, owner: 422, restricted: 403 },
    },

    'GET /api/v1/integrations/platforms': { who: workers, path: '/api/v1/integrations/platforms', status: 200 },
    'GET /api/v1/integrations/connections': { who: workers, path: '/api/v1/integrations/connections', status: 200 },
    'POST /api/v1/integrations/connections': { who: managers, path: '/api/v1/integrations/connections', body: {}, status: 400 },
    'GET /api/v1/integrations/connections/:id': { who: workers, path: '/api/v1/integrations/connections/con_NOPE', status: 404 },
    'PATCH /api/v1/integrations/connections/:id': { who: managers, path: '/api/v1/integrations/connections/con_NOPE', body: { status: 'paused' }, status: 404 },
    'POST /api/v1/integrations/connections/:id/test': { who: managers, path: '/api/v1/integrations/connections/con_NOPE/test', status: 404 },
    'POST /api/v1/integrations/connections/:id/catalogue/refresh': { who: managers, path: '/api/v1/integrations/connections/con_NOPE/catalogue/refresh', status: 404 },
    'GET /api/v1/integrations/connections/:id/variants': { who: workers, path: '/api/v1/integrations/connections/con_NOPE/variants', status: 404 },
    'GET /api/v1/integrations/connections/:id/unmapped-items': { who: workers, path: '/api/v1/integrations/connections/con_NOPE/unmapped-items', status: 404 },
    'POST /api/v1/integrations/connections/:id/mappings': { who: managers, path: '/api/v1/integrations/connections/con_NOPE/mappings', body: { variant_ref: 'x', item_id: null }, status: 404 },
    'POST /api/v1/integrations/connections/:id/match': { who: managers, path: '/api/v1/integrations/connections/con_NOPE/match', body: {}, status: 404 },
    'POST /api/v1/integrations/connections/:id/import': { who: managers, path: '/api/v1/integrations/connections/con_NOPE/import', body: { variant_refs: ['x'] }, status: 404 },
    'POST /api/v1/integrations/connections/:id/reconcile': { who: managers, path: '/api/v1/integrations/connections/con_NOPE/reconcile', body: {}, status: 404 },
    'GET /api/v1/integrations/connections/:id/sync-log': { who: workers, path: '/api/v1/integrations/connections/con_NOPE/sync-log', status: 404 },
    'POST /api/v1/integrations/connections/:id/retry': { who: managers, path: '/api/v1/integrations/connections/con_NOPE/retry', status: 404 },
    'POST /api/v1/integrations/:connection_id/webhooks': { who: 'public', path: '/api/v1/integrations/con_NOPE/webhooks', body: {}, status: 404 },
    'GET /api/v1/accounting/journal': { who: costReaders, path: '/api/v1/accounting/journal?from=2026-11-01&to=2026-11-01', status: 200 },
    'GET /api/v1/accounting/journal/export': { who: costReaders, path: '/api/v1/accounting/journal/export?from=2026-11-01&to=2026-11-01&format=iif', status: 200 },
    'GET /api/v1/accounting/accounts': { who: costReaders, path: '/api/v1/accounting/accounts', status: 200 },
    'PUT /api/v1/accounting/accounts': { who: owners, path: '/api/v1/accounting/accounts', body: {}, status: 400 },
    'GET /api/v1/quickbooks/connection': { who: costReaders, path: '/api/v1/quickbooks/connection', status: 200 },
    'GET /api/v1/quickbooks/authorize-url': { who: owners, path: '/api/v1/quickbooks/authorize-url', status: 400 },
    'POST /api/v1/quickbooks/connection': { who: owners, path: '/api/v1/quickbooks/connection', body: {}, status: 400 },
    'DELETE /api/v1/quickbooks/connection': { who: owners, path: '/api/v1/quickbooks/connection', status: 200 },
    'PATCH /api/v1/quickbooks/connection': { who: owners, path: '/api/v1/quickbooks/connection', body: {}, status: 400 },
    'POST /api/v1/quickbooks/sync': { who: owners, path: '/api/v1/quickbooks/sync', body: {}, status: 200 },
    'GET /api/v1/quickbooks/postings': { who: costReaders, path: '/api/v1/quickbooks/postings', status: 200 },
    'GET /api/v1/google/local-feeds': { who: everyone, path: '/api/v1/google/local-feeds', status: 200 },
    'POST /api/v1/google/local-feeds': { who: owners, path: '/api/v1/google/local-feeds', body: {}, status: 400 },
    'GET /api/v1/google/local-inventory/:token': { who: 'public', path: '/api/v1/google/local-inventory/not-a-feed-0123456789', status: 404 },
    'GET /api/v1/google/product-feed': { who: everyone, path: '/api/v1/google/product-feed', status: 200 },
    'POST /api/v1/google/product-feed': { who: owners, path: '/api/v1/google/product-feed', body: {}, status: 200 },
    'GET /api/v1/google/products/:token': { who: 'public', path: '/api/v1/google/products/not-a-feed-0123456789', status: 404 },
    'GET /api/v1/google/merchant': { who: everyone, path: '/api/v1/google/merchant', status: 200 },
    'PUT /api/v1/google/merchant': { who: owners, path: '/api/v1/google/merchant', body: {}, status: 400 },
    'DELETE /api/v1/google/merchant': { who: owners, path: '/api/v1/google/merchant', status: 200 },
    'POST /api/v1/google/merchant/push': { who: owners, path: '/api/v1/google/merchant/push', body: {}, status: 409 },
    'GET /api/v1/google/merchant/log': { who: everyone, path: '/api/v1/google/merchant/log', status: 200 },
    'POST /api/v1/voice/ask': { who: everyone, path: '/api/v1/voice/ask', body: { text: 'what sold best today' }, status: 200 },
    // Public to our credentials: Amazon's signature decides, and an unsigned envelope is refused.
    'POST /api/v1/voice/alexa': { who: 'public', path: '/api/v1/voice/alexa', body: {}, status: 400 },
  };
}

type Caller = { name: string; role: Role | null; credentials: Credentials };

describeEachDatabase('route matrix', (get) => {
  let api: TestApi;
  let rows: Record<string, Row>;
  let callers: Caller[];

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const site = async (code: string) => (await api.post('/api/v1/locations', { kind: 'site', code: `${code}${Date.now() % 100000}`, name: code, site_type: 'store' })).body;
    const siteA = await site('MA');
    const siteB = await site('MB');
    const item = (await api.post('/api/v1/items', { sku: `MATRIX-${Date.now()}`, name: 'Matrix item' })).body;
    const adjustment = (await api.post('/api/v1/adjustments', { location_id: siteB.id, reason: 'found', lines: [{ item_id: item.id, qty: 1 }] })).body;
    // Reversed once already, so the owner's try at reversing it again is a harmless 409.
    expect((await api.post(`/api/v1/adjustments/${adjustment.id}/reverse`, {})).status).toBe(201);
    const siteC = await site('MC');
    const transfer = (await api.post('/api/v1/transfers', { source_site_id: siteB.id, destination_site_id: siteC.id, request: true, lines: [{ item_id: item.id, qty: 1 }] })).body;
    expect((await api.post(`/api/v1/transfers/${transfer.id}/cancel`, {})).status).toBe(200);
    const countB = (await api.post('/api/v1/counts', { site_id: siteB.id, kind: 'full' })).body;
    const cancelledCountB = (await api.post('/api/v1/counts', { site_id: siteB.id, kind: 'full' })).body;
    expect((await api.post(`/api/v1/counts/${cancelledCountB.id}/cancel`, {})).status).toBe(200);
    rows = matrix({ siteB: siteB.id, binB: siteB.default_bin_id, adjustmentB: adjustment.id, siteC: siteC.id, transferB: transfer.id, countB: countB.id, cancelledCountB: cancelledCountB.id });

    const revoked = await makeToken(api, 'owner');
    await revokeToken({ db: api.db, clock: api.clock, actor: systemActor }, revoked.id);
    // A session that began eight days ago has passed its absolute expiry.
    const person = await makeUser(api, 'owner');
    api.clock.advance(-(SESSION_ABSOLUTE_MS + 86_400_000));
    const stale = await signIn(api, person.email, person.password);
    api.clock.advance(SESSION_ABSOLUTE_MS + 86_400_000);

    callers = [
      { name: 'owner', role: 'owner', credentials: { bearer: (await makeToken(api, 'owner')).secret } },
      ...(['manager', 'staff', 'viewer'] as const).map((role) => ({ name: role, role, credentials: null as Credentials })),
      { name: 'no credentials', role: null, credentials: null },
      { name: 'revoked token', role: null, credentials: { bearer: revoked.secret } },
      { name: 'expired session', role: null, credentials: { session: stale.session, csrf: stale.csrf } },
    ];
    for (const caller of callers) {
      if (caller.role && caller.role !== 'owner') caller.credentials = { bearer: (await makeToken(api, caller.role, [siteA.id])).secret };
    }
  });

  it('has a row for every registered route, and the router holds no route the rows miss', () => {
    const routes = registeredRoutes(api.app);
    const keys = new Set(routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`));
    expect([...keys].sort()).toEqual(Object.keys(rows).sort());
    // Fastify adds a HEAD route beside each GET; each is checked with its GET row.
    for (const head of routes.filter((r) => r.method === 'HEAD')) expect(keys.has(`GET ${head.url}`)).toBe(true);
    expect(routes).toHaveLength(routerRouteCount(api.app));
    for (const route of routes) expect(api.app.hasRoute({ method: route.method as 'GET', url: route.url })).toBe(true);
  });

  it('declares the same public routes as the rows', () => {
    for (const route of registeredRoutes(api.app)) {
      const row = rows[`${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`]!;
      expect('public' in route.access, `${route.method} ${route.url}`).toBe(row.who === 'public');
    }
  });

  it('tells API readers how to authenticate and what each route needs', async () => {
    const doc = (await api.as(null).get('/api/openapi.json')).body;
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearerToken', 'sessionCookie']);
    expect(doc.paths['/api/v1/session'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/setup'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/items'].get.security).toBeUndefined();
    expect(doc.paths['/api/v1/items'].get.description).toMatch(/`items.read`/);
    expect(doc.paths['/api/v1/adjustments'].post.description).toMatch(/`adjustments.write` permission, at the site of `location_id`/);
  });

  it('answers every route, for every caller, as declared', { timeout: 180_000 }, async () => {
    const failures: string[] = [];
    let checked = 0;
    const routes = registeredRoutes(api.app);
    for (const route of routes) {
      const row = rows[`${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`]!;
      for (const caller of callers) {
        const expected = expectedStatus(row, caller, row.status);
        const got = await call(api, caller.credentials, route.method, row);
        if (got !== expected) failures.push(`${route.method} ${row.path} as ${caller.name}: expected ${expected}, got ${got}`);
        if (row.otherSite && caller.role) {
          const other = caller.role === 'owner' ? row.otherSite.owner : row.who !== 'public' && row.who.includes(caller.role) ? row.otherSite.restricted : 403;
          const gotOther = await call(api, caller.credentials, route.method, row.otherSite);
          if (gotOther !== other) failures.push(`${route.method} ${row.otherSite.path} (other site) as ${caller.name}: expected ${other}, got ${gotOther}`);
        }
      }
      checked += 1;
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(routes.length);
  });
});

function expectedStatus(row: Row, caller: Caller, allowed: number): number {
  if (row.who === 'public') return allowed;
  if (caller.role === null) return 401;
  return row.who.includes(caller.role) ? allowed : 403;
}

async function call(api: TestApi, credentials: Credentials, method: string, request: Call): Promise<number> {
  const response = await api.as(credentials).request(method as 'GET', request.path, request.body === undefined ? {} : { body: request.body });
  return response.status;
}

describe('route declarations', () => {
  it('refuses to build an app with a route that declares no access', async () => {
    const { createTestDatabase } = await import('../support/databases.ts');
    const test = await createTestDatabase('sqlite');
    try {
      await expect(
        buildApp({
          db: test.db,
          extraRoutes: (routes) => {
            routes.get('/api/v1/undeclared', { handler: async () => ({ ok: true }) });
          },
        }),
      ).rejects.toThrow(/GET \/api\/v1\/undeclared declares no access/);
      await expect(
        buildApp({
          db: test.db,
          extraRoutes: (routes) => {
            routes.get('/api/v1/misspelt', { config: { access: { permission: 'item.read' } }, handler: async () => ({ ok: true }) });
          },
        }),
      ).rejects.toThrow(/unknown permission "item.read"/);
      const declared = await buildApp({
        db: test.db,
        extraRoutes: (routes) => {
          routes.get('/api/v1/declared', { config: { access: { permission: 'items.read' } }, handler: async () => ({ ok: true }) });
        },
      });
      expect(declared.accessRoutes.some((r) => r.url === '/api/v1/declared')).toBe(true);
      await declared.close();
    } finally {
      await test.destroy();
    }
  });
});
