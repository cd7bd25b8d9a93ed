import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { resolveScanBody, scanResolutionOutput, toScanJson } from './scanning.schema.ts';
import { resolveScan } from './scanning.service.ts';

export function registerScanningRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/scan/resolve', {
    schema: {
      tags: ['scanning'],
      summary: 'What a scanned string is: an item by barcode or SKU, or a GS1 element string with its GTIN, lot, expiry, serial and count',
      description:
        'Accepts GS1-128 / GS1 DataMatrix element strings as scanners send them (an optional ]C1 or ]d2 symbology identifier, FNC1 as \\u001d) ' +
        'and in human-readable (01)…(10)… form. Unknown application identifiers are listed in `unknown_ais`; nothing found is `kind: unknown`. Changes nothing.',
      body: resolveScanBody,
      response: { 200: scanResolutionOutput },
    },
    config: { access: { permission: 'items.read' }, errors: [] },
    handler: async (request) => toScanJson(await resolveScan(contextOf(deps, request), request.body.code)),
  });
}
