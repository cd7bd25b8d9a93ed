import { describe, expect, it } from 'vitest';
import { CostEngine, emptyState, type ValuedMovement } from './cost-engine.ts';

const units = (n: number) => n * 1000;
const money = (n: number) => Math.round(n * 1_000_000);
let seq = 0;
const inbound = (qty: number, unitCost: number | null, landed = 0): ValuedMovement => ({ id: `m${String((seq += 1)).padStart(4, '0')}`, effectiveAt: seq, qty: units(qty), direction: 'in', unitCost: unitCost === null ? null : money(unitCost), landed: money(landed) });
const outbound = (qty: number): ValuedMovement => ({ id: `m${String((seq += 1)).padStart(4, '0')}`, effectiveAt: seq, qty: units(qty), direction: 'out', unitCost: null, landed: 0 });

function run(method: 'fifo' | 'average', movements: ValuedMovement[]) {
  const engine = new CostEngine(emptyState(method));
  for (const m of movements) engine.process(m);
  return { engine, value: (m: ValuedMovement) => engine.effects.values.get(m.id)! / 1_000_000 };
}

describe('FIFO', () => {
  it('draws the oldest layers first', () => {
    const a = inbound(10, 1.0);
    const b = inbound(10, 1.5);
    const sale = outbound(15);
    const { engine, value } = run('fifo', [a, b, sale]);
    expect(value(sale)).toBe(17.5);
    expect(engine.state.layers.map((l) => [l.movementId, l.qtyRemaining, l.valueRemaining])).toEqual([[b.id, units(5), money(7.5)]]);
    expect(engine.state.poolValue).toBe(money(7.5));
  });

  it('never loses a micro to rounding: a layer gives out exactly what it came in with', () => {
    const a = inbound(3, null, 10); // 3 units worth 10.00 in all: 3.333… each
    const sales = [outbound(1), outbound(1), outbound(1)];
    const { engine, value } = run('fifo', [a, ...sales]);
    expect(sales.map(value)).toEqual([3.333333, 3.333333, 3.333334]);
    expect(engine.state.poolValue).toBe(0);
  });

  it('values a sale of stock not yet recorded at the last cost, then at the cost of the stock that arrives', () => {
    const first = inbound(1, 2.0);
    const s1 = outbound(1);
    const short = outbound(3);
    const { engine, value } = run('fifo', [first, s1, short]);
    expect(value(short)).toBe(6);
    expect(engine.state.shortfalls).toHaveLength(1);
    const late = inbound(10, 2.5);
    engine.process(late);
    expect(engine.effects.values.get(short.id)).toBe(money(7.5));
    expect(engine.state.shortfalls).toEqual([]);
    expect(engine.state.layers.map((l) => [l.qtyRemaining, l.valueRemaining])).toEqual([[units(7), money(17.5)]]);
    expect(engine.effects.consumptions.get(short.id)).toEqual([{ movementId: short.id, effectiveAt: short.effectiveAt, layerId: late.id, qty: units(3), value: money(7.5) }]);
  });

  it('values found stock with no stated cost at the current average cost', () => {
    const a = inbound(2, 1.0);
    const b = inbound(2, 2.0);
    const found = inbound(1, null);
    const { value } = run('fifo', [a, b, found]);
    expect(value(found)).toBe(1.5);
  });

  it('adds landed cost to the layer it belongs to', () => {
    const a = inbound(10, 1.0, 2.0);
    const sale = outbound(4);
    const { value, engine } = run('fifo', [a, sale]);
    expect(value(a)).toBe(12);
    expect(value(sale)).toBe(4.8);
    expect(engine.state.poolValue).toBe(money(7.2));
  });
});

describe('moving average', () => {
  it('draws at the running average', () => {
    const a = inbound(10, 1.0);
    const b = inbound(10, 1.5);
    const sale = outbound(15);
    const after = inbound(5, 2.0);
    const sale2 = outbound(10);
    const { engine, value } = run('average', [a, b, sale, after, sale2]);
    expect(value(sale)).toBe(18.75);
    // 5 left at 1.25 plus 5 at 2.00: 16.25 for 10
    expect(value(sale2)).toBe(16.25);
    expect([engine.state.poolQty, engine.state.poolValue]).toEqual([0, 0]);
  });

  it('settles a shortfall at the cost of the next stock in', () => {
    const a = inbound(1, 4.0);
    const s = outbound(3);
    const { engine, value } = run('average', [a, s]);
    expect(value(s)).toBe(12);
    engine.process(inbound(4, 5.0));
    expect(engine.effects.values.get(s.id)).toBe(money(14));
    expect([engine.state.poolQty, engine.state.poolValue]).toEqual([units(2), money(10)]);
  });
});

describe('lots', () => {
  const ofLot = (m: ValuedMovement, lotId: string): ValuedMovement => ({ ...m, lotId });

  it('draws the layers of the lot that left, not the oldest layer of the item', () => {
    const early = ofLot(inbound(10, 1.4), 'lot_A');
    const late = ofLot(inbound(10, 1.6), 'lot_B');
    const sale = ofLot(outbound(4), 'lot_B');
    const { engine, value } = run('fifo', [early, late, sale]);
    // 4 × 1.60 from lot B; FIFO across lots would have said 4 × 1.40 = 5.60.
    expect(value(sale)).toBe(6.4);
    expect(engine.state.layers.map((l) => [l.lotId, l.qtyRemaining, l.valueRemaining])).toEqual([
      ['lot_A', units(10), money(14)],
      ['lot_B', units(6), money(9.6)],
    ]);
  });

  it('leaves a sale of a lot with no layer left short, even while other lots have stock', () => {
    const a = ofLot(inbound(5, 2.0), 'lot_A');
    const b = ofLot(inbound(1, 3.0), 'lot_B');
    const sale = ofLot(outbound(3), 'lot_B');
    const { engine, value } = run('fifo', [a, b, sale]);
    // 1 × 3.00 from lot B, 2 short at the last cost (3.00).
    expect(value(sale)).toBe(9);
    expect(engine.state.shortfalls.map((s) => [s.lotId, s.qty])).toEqual([['lot_B', units(2)]]);
    // Stock of lot A arriving does not settle lot B's shortfall; lot B arriving does, at its cost.
    engine.process(ofLot(inbound(2, 1.0), 'lot_A'));
    expect(engine.effects.values.get(sale.id)).toBe(money(9));
    engine.process(ofLot(inbound(4, 2.5), 'lot_B'));
    expect(engine.effects.values.get(sale.id)).toBe(money(3 + 5));
    expect(engine.state.shortfalls).toEqual([]);
  });

  it('shares the average over the lots of an average item', () => {
    const a = ofLot(inbound(10, 1.4), 'lot_A');
    const b = ofLot(inbound(10, 1.6), 'lot_B');
    const sale = ofLot(outbound(5), 'lot_B');
    const { value } = run('average', [a, b, sale]);
    expect(value(sale)).toBe(7.5);
  });
});

describe('lots: stock found without a stated cost', () => {
  it('values found stock of a FIFO lot at that lot’s open layers, and of a lot with none at the item’s cost', () => {
    const a = { ...inbound(10, 1.4), lotId: 'lot_A' };
    const b = { ...inbound(10, 1.6), lotId: 'lot_B' };
    const foundB = { ...inbound(1, null), lotId: 'lot_B' };
    const foundC = { ...inbound(1, null), lotId: 'lot_C' };
    const { value } = run('fifo', [a, b, foundB, foundC]);
    expect(value(foundB)).toBe(1.6);
    // Lot C has no layer: the item's current cost, 31.60 / 21 = 1.5047619…, rounded to the micro.
    expect(value(foundC)).toBe(1.504762);
  });
});
