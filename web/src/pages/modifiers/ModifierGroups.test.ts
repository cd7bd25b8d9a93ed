import { describe, expect, it } from 'vitest';
import type { Item } from '../../api/types.ts';
import { buildBody } from './ModifierGroups.tsx';

const item = (id: string, name: string) => ({ id, sku: id.toUpperCase(), name }) as Item;
const form = { name: 'Milk', selection: 'single' as const, required: true, max: '' };

describe('the modifier group form', () => {
  it('sends a swap as one component that stands in for the other, with the price change exact', () => {
    const built = buildBody(form, [{ name: 'Oat milk', price: '0.60', uses: item('itm_oat', 'Oat milk'), qty: '', replaces: item('itm_milk', 'Whole milk') }]);
    expect(built).toEqual({
      body: { name: 'Milk', selection: 'single', required: true, modifiers: [{ name: 'Oat milk', price_delta: '0.60', components: [{ item_id: 'itm_oat', replaces_item_id: 'itm_milk' }] }] },
    });
  });

  it('asks how much an added component uses, and reads limits and quantities', () => {
    expect(buildBody(form, [{ name: 'Shot', price: '0.5', uses: item('itm_esp', 'Espresso'), qty: '', replaces: null }])).toEqual({ error: 'Modifier 1: say how much of Espresso it uses' });
    const built = buildBody({ ...form, selection: 'multiple', required: false, max: '3' }, [{ name: 'Shot', price: '', uses: item('itm_esp', 'Espresso'), qty: '0.018', replaces: null }]);
    expect(built).toEqual({ body: { name: 'Milk', selection: 'multiple', required: false, max: 3, modifiers: [{ name: 'Shot', price_delta: '0.00', components: [{ item_id: 'itm_esp', qty: 0.018 }] }] } });
    expect(buildBody({ ...form, selection: 'multiple', max: 'two' }, [])).toEqual({ error: '“At most” must be a whole number' });
    expect(buildBody(form, [{ name: 'Shot', price: 'abc', uses: null, qty: '', replaces: null }])).toMatchObject({ error: expect.stringMatching(/^Modifier 1: price change/) });
  });
});
