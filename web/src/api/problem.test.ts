import { describe, expect, it } from 'vitest';
import { ApiError, describeError, formFieldOf, mapProblem, toProblem } from './problem.ts';

const validation = new ApiError({
  status: 400,
  code: 'validation_failed',
  detail: 'The request is not valid.',
  errors: [
    { field: 'body.sku', code: 'invalid_format', message: 'letters, digits and . _ - /; at most 64' },
    { field: 'body.lines.1.qty', code: 'custom', message: 'has more than 3 decimals' },
    { field: 'body.units.0', code: 'custom', message: 'needs a name' },
    { field: 'querystring.cursor', code: 'invalid_cursor', message: 'not a cursor from this server' },
  ],
});

describe('problems to fields', () => {
  it('strips where the field was in the request', () => {
    expect(formFieldOf('body.lines.0.qty')).toBe('lines.0.qty');
    expect(formFieldOf('querystring.limit')).toBe('limit');
    expect(formFieldOf('body')).toBe('');
  });

  it('puts each message beside its field, in words, and the rest at the top', () => {
    const mapped = mapProblem(validation, ['sku', 'name', 'lines', 'lines.1.qty', 'units']);
    expect(mapped.byField).toEqual({
      sku: 'Letters, digits and . _ - /; at most 64',
      'lines.1.qty': 'Has more than 3 decimals',
      units: 'Needs a name',
    });
    expect(mapped.general).toEqual(['cursor: not a cursor from this server']);
  });

  it('falls back to the closest parent field the form has', () => {
    const mapped = mapProblem(validation, ['sku', 'lines']);
    expect(mapped.byField.lines).toBe('Has more than 3 decimals');
    expect(mapped.general).toContain('units › 0: needs a name');
  });

  it('says that fields need attention when every error found its field', () => {
    const only = new ApiError({ status: 400, code: 'validation_failed', detail: 'The request is not valid.', errors: [{ field: 'body.name', message: 'too short' }] });
    expect(mapProblem(only, ['name'])).toEqual({ byField: { name: 'Too short' }, general: ['Some fields need attention; see the messages beside them.'] });
  });

  it('places a domain problem on the field it concerns: a taken SKU beside the SKU', () => {
    const taken = new ApiError({ status: 409, code: 'sku_taken', detail: 'An item with SKU MUG-1 already exists.', sku: 'MUG-1' });
    expect(mapProblem(taken, ['sku', 'name'])).toEqual({ byField: { sku: 'An item with SKU MUG-1 already exists.' }, general: [] });
  });

  it('places a problem on the fields its extra names', () => {
    const locked = new ApiError({ status: 409, code: 'item_locked_field', detail: 'base_unit cannot change once the item has stock movements.', fields: ['base_unit'] });
    expect(mapProblem(locked, ['base_unit', 'name']).byField.base_unit).toMatch(/cannot change/);
  });

  it('keeps the detail of a domain problem that also lists fields', () => {
    const bad = new ApiError({ status: 422, code: 'barcode_invalid', detail: 'A barcode is not valid.', errors: [{ field: 'body.barcodes.0', message: '123 is GTIN-shaped but its check digit is wrong' }] });
    const mapped = mapProblem(bad, ['barcodes']);
    expect(mapped.byField.barcodes).toMatch(/check digit/);
    expect(mapped.general).toEqual(['A barcode is not valid.']);
  });

  it('shows a problem with no field at the top', () => {
    const conflict = new ApiError({ status: 409, code: 'insufficient_stock', detail: 'Only 2 available at the warehouse.' });
    expect(mapProblem(conflict, ['qty'])).toEqual({ byField: {}, general: ['Only 2 available at the warehouse.'] });
  });

  it('turns a dropped connection or a proxy page into words', () => {
    expect(toProblem(0, null)).toMatchObject({ code: 'network_error', detail: expect.stringMatching(/could not be reached/) });
    expect(toProblem(502, '<html>Bad gateway</html>')).toMatchObject({ status: 502, detail: expect.stringMatching(/502/) });
    expect(mapProblem(new Error('boom'), [])).toEqual({ byField: {}, general: ['boom'] });
    expect(describeError(validation)).toMatch(/^The request is not valid\. \(sku letters/);
  });
});
