import { z } from 'zod';
import { SCAN_MAX_LENGTH, type ScanResolution } from './scanning.service.ts';

export const scanInput = z
  .string()
  .min(1)
  .max(SCAN_MAX_LENGTH)
  // Printable text plus the GS1 group separator (FNC1) and the CR/LF a scanner may append.
  .refine((s) => !/[\u0000-\u0009\u000b\u000c\u000e-\u001c\u001e\u001f\u007f]/.test(s), { message: 'contains control characters other than the group separator' })
  .meta({ description: 'What the scanner sent: a barcode, a SKU, or a GS1 element string (with \\u001d as FNC1, or in (AI)data form).', example: '(01)09501101530003(17)140704(10)AB-123' });

export const resolveScanBody = z.strictObject({ code: scanInput });

const elementOutput = z.object({ ai: z.string(), title: z.string().nullable(), value: z.string() });

export const scanResolutionOutput = z
  .object({
    input: z.string(),
    kind: z.enum(['gs1', 'barcode', 'sku', 'unknown']),
    symbology: z.string().nullable(),
    item: z
      .object({ id: z.string(), sku: z.string(), name: z.string(), base_unit: z.string(), tracking: z.enum(['none', 'lot', 'serial']), tracks_expiry: z.boolean() })
      .nullable(),
    matched: z.string().nullable(),
    gtin: z.string().nullable(),
    lot_code: z.string().nullable(),
    expires_on: z.string().nullable(),
    serial: z.string().nullable(),
    count: z.number().int().nullable(),
    lot: z.object({ id: z.string(), code: z.string(), kind: z.enum(['lot', 'serial']), expires_on: z.string().nullable() }).nullable(),
    elements: z.array(elementOutput),
    unknown_ais: z.array(elementOutput),
    problems: z.array(z.object({ ai: z.string().nullable(), message: z.string() })),
  })
  .meta({ id: 'ScanResolution' });
export type ScanResolutionJson = z.infer<typeof scanResolutionOutput>;

export function toScanJson(r: ScanResolution): ScanResolutionJson {
  return {
    input: r.input,
    kind: r.kind,
    symbology: r.symbology,
    item: r.item
      ? { id: r.item.id, sku: r.item.sku, name: r.item.name, base_unit: r.item.base_unit, tracking: r.item.tracking, tracks_expiry: r.item.tracks_expiry === 1 }
      : null,
    matched: r.matched,
    gtin: r.gtin,
    lot_code: r.lotCode,
    expires_on: r.expiresOn,
    serial: r.serial,
    count: r.count,
    lot: r.lot ? { id: r.lot.id, code: r.lot.code, kind: r.lot.kind, expires_on: r.lot.expires_on } : null,
    elements: r.elements,
    unknown_ais: r.unknownAis,
    problems: r.problems,
  };
}
