import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { TextField } from '../components/ui.tsx';
import { itemBody } from './ItemForm.tsx';

afterEach(cleanup);

const form = {
  sku: ' MUG-1 ',
  name: 'Mug',
  description: '',
  category: 'Kitchen',
  base_unit: 'ea',
  price: '4.5',
  unit_weight_g: '',
  reorder_point: '10',
  tracking: 'none' as const,
  tracks_expiry: false,
  costing_method: 'fifo' as const,
  stocked: true,
  barcodes: '4006381333931\n 2000000000015 ',
  units: [{ name: 'case', factor: '12' }],
  components: [],
};

describe('the item form', () => {
  it('builds the request with decimal strings for money and numbers for quantities', () => {
    const { body, errors } = itemBody(form, true);
    expect(errors).toEqual({});
    expect(body).toMatchObject({ sku: 'MUG-1', price: '4.50', reorder_point: 10, barcodes: ['4006381333931', '2000000000015'], units: [{ name: 'case', factor: 12 }], description: null });
  });

  it('leaves out the reorder point on a server that does not know it', () => {
    expect('reorder_point' in itemBody(form, false).body).toBe(false);
  });

  it('finds typing mistakes before sending, per field', () => {
    const { errors } = itemBody({ ...form, price: '4.5.0', units: [{ name: 'case', factor: '1.23456' }] }, true);
    expect(errors).toEqual({ price: 'Not an amount (digits and one decimal point)', 'units.0.factor': 'At most 3 decimals' });
  });

  it('shows a field’s error beside it, tied to the control for screen readers, and keeps what was typed', () => {
    let value = 'MUG 1';
    render(<TextField label="SKU" value={value} onValue={(v) => (value = v)} error="Letters, digits and . _ - /; at most 64" />);
    const input = screen.getByLabelText('SKU');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const describedBy = input.getAttribute('aria-describedby')!;
    expect(document.getElementById(describedBy)?.textContent).toBe('Letters, digits and . _ - /; at most 64');
    expect((input as HTMLInputElement).value).toBe('MUG 1');
    fireEvent.change(input, { target: { value: 'MUG-1' } });
    expect(value).toBe('MUG-1');
  });
});
