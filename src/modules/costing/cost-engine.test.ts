import { describe, expect, it } from 'vitest';
import { CostEngine, emptyState, unitCostOf, type ValuedMovement } from './cost-engine.ts';

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

/*
 * The cases below pin what the engine records, not only the totals: each names the mutation run
 * (docs/testing.md) survivor it kills. Every figure is worked by hand in the comment beside it.
 */
describe('what the engine records', () => {
  const ofLot = (m: ValuedMovement, lotId: string): ValuedMovement => ({ ...m, lotId });
  const draw = (m: ValuedMovement, layerId: string, qty: number, value: number, lotId?: string) => ({ movementId: m.id, effectiveAt: m.effectiveAt, layerId, qty: units(qty), value: money(value), ...(lotId ? { lotId } : {}) });

  it('records a sale drawn from one layer as that draw alone, with no lot for stock without one', () => {
    const a = inbound(10, 1.0);
    const b = inbound(10, 1.5);
    const sale = outbound(5);
    const { engine } = run('fifo', [a, b, sale]);
    // 5 of the first layer at 1.00; the second layer is not touched (no draw of 0 from it).
    expect(engine.effects.consumptions.get(sale.id)).toEqual([draw(sale, a.id, 5, 5)]);
    expect(engine.state.layers.map((l) => [l.movementId, l.qtyRemaining, l.valueRemaining])).toEqual([
      [a.id, units(5), money(5)],
      [b.id, units(10), money(15)],
    ]);
    // 5 at 1.00 + 10 at 1.50 = 20.00 for 15.
    expect([engine.state.poolQty, engine.state.poolValue]).toEqual([units(15), money(20)]);
  });

  it('settles a shortfall in part, keeps the rest pending at its estimate, then settles the rest from the next layer', () => {
    const first = inbound(1, 2.0);
    const s1 = outbound(1);
    const short = outbound(5); // nothing left: 5 short at the last cost, 2.00 → 10.00
    const { engine, value } = run('fifo', [first, s1, short]);
    expect(engine.effects.consumptions.get(s1.id)).toEqual([draw(s1, first.id, 1, 2)]);
    expect(value(short)).toBe(10);
    expect([engine.state.poolQty, engine.state.poolValue]).toEqual([0, 0]);

    // 2 arrive at 3.00 (6.00): they settle 2 of the 5 and open no layer.
    const late1 = inbound(2, 3.0);
    engine.process(late1);
    // 2 settled at 3.00 = 6.00; 3 still pending at the estimate 3 × 2.00 = 6.00: 12.00.
    expect(engine.effects.values.get(short.id)).toBe(money(12));
    expect(engine.effects.consumptions.get(short.id)).toEqual([draw(short, late1.id, 2, 6), draw(short, '', 3, 6)]);
    expect(engine.state.shortfalls).toEqual([draw(short, '', 3, 6)]);
    expect(engine.state.layers).toEqual([]);
    expect([engine.state.poolQty, engine.state.poolValue]).toEqual([0, 0]);

    // 4 arrive at 2.50 (10.00): 3 settle the rest (3 × 2.50 = 7.50), 1 opens a layer worth 2.50.
    const late2 = inbound(4, 2.5);
    engine.process(late2);
    expect(engine.effects.values.get(short.id)).toBe(money(6 + 7.5));
    expect(engine.effects.consumptions.get(short.id)).toEqual([draw(short, late1.id, 2, 6), draw(short, late2.id, 3, 7.5)]);
    expect(engine.state.shortfalls).toEqual([]);
    expect(engine.state.layers.map((l) => [l.movementId, l.qtyRemaining, l.valueRemaining])).toEqual([[late2.id, units(1), money(2.5)]]);
    expect([engine.state.poolQty, engine.state.poolValue, engine.state.lastUnitCost]).toEqual([units(1), money(2.5), money(2.5)]);
  });

  it('closes the layer of a lot behind another lot’s layer, leaving the other one open', () => {
    const a = ofLot(inbound(5, 2.0), 'lot_A');
    const b = ofLot(inbound(1, 3.0), 'lot_B');
    const sale = ofLot(outbound(1), 'lot_B');
    const { engine } = run('fifo', [a, b, sale]);
    expect(engine.effects.consumptions.get(sale.id)).toEqual([draw(sale, b.id, 1, 3, 'lot_B')]);
    expect(engine.state.layers.map((l) => [l.movementId, l.qtyRemaining, l.valueRemaining])).toEqual([[a.id, units(5), money(10)]]);
  });

  it('settles the shortfall of one lot behind another lot’s, leaving the other one pending', () => {
    const a = ofLot(inbound(1, 2.0), 'lot_A');
    const sA = ofLot(outbound(3), 'lot_A'); // 1 from the layer (2.00), 2 short at 2.00 (4.00)
    const sB = ofLot(outbound(2), 'lot_B'); // lot B has no layer: 2 short at the last cost, 2.00 (4.00)
    const { engine, value } = run('fifo', [a, sA, sB]);
    expect(engine.effects.consumptions.get(sA.id)).toEqual([draw(sA, a.id, 1, 2, 'lot_A'), draw(sA, '', 2, 4, 'lot_A')]);
    expect(value(sB)).toBe(4);
    const inB = ofLot(inbound(2, 5.0), 'lot_B');
    engine.process(inB);
    // Lot B's 2 settle at 5.00 (10.00); lot A's shortfall, ahead of it in the queue, stays.
    expect(engine.effects.values.get(sB.id)).toBe(money(10));
    expect(engine.effects.consumptions.get(sB.id)).toEqual([draw(sB, inB.id, 2, 10, 'lot_B')]);
    expect(engine.state.shortfalls.map((s) => [s.movementId, s.lotId, s.qty, s.value])).toEqual([[sA.id, 'lot_A', units(2), money(4)]]);
    expect(engine.state.layers).toEqual([]);
  });

  it('values found stock without a lot at the whole item’s cost, not at the layers without a lot', () => {
    const a = ofLot(inbound(10, 1.0), 'lot_A');
    const b = inbound(10, 2.0);
    const found = inbound(1, null);
    const { value } = run('fifo', [a, b, found]);
    // (10.00 + 20.00) / 20 = 1.50; the layers without a lot alone would say 2.00.
    expect(value(found)).toBe(1.5);
  });

  it('keeps an average item’s settled shortfall as one draw from the pool, and no layers', () => {
    const a = inbound(1, 4.0);
    const s = outbound(3); // 1 from the pool (4.00), 2 short at 4.00 (8.00)
    const { engine } = run('average', [a, s]);
    expect(engine.effects.consumptions.get(s.id)).toEqual([draw(s, 'avg', 1, 4), draw(s, '', 2, 8)]);
    engine.process(inbound(4, 5.0)); // 2 of the 4 settle at 5.00 (10.00); 2 join the pool (10.00)
    expect(engine.effects.consumptions.get(s.id)).toEqual([draw(s, 'avg', 3, 14)]);
    expect(engine.state.layers).toEqual([]);
    expect(engine.effects.layers.size).toBe(0);
    expect([engine.state.poolQty, engine.state.poolValue]).toEqual([units(2), money(10)]);
  });

  it('settles an average item’s shortfall of one lot with stock of another (they share the pool)', () => {
    const engine = new CostEngine(emptyState('average', money(1.25)));
    const s = ofLot(outbound(2), 'lot_B');
    engine.process(s);
    // Nothing in the pool: all short at the last cost, 2 × 1.25 = 2.50, and no draw of 0 from the pool.
    expect(engine.effects.consumptions.get(s.id)).toEqual([draw(s, '', 2, 2.5, 'lot_B')]);
    engine.process(ofLot(inbound(3, 2.0), 'lot_A')); // 6.00 for 3: 2 settle at 4.00, 1 joins the pool
    expect(engine.effects.values.get(s.id)).toBe(money(4));
    expect(engine.effects.consumptions.get(s.id)).toEqual([draw(s, 'avg', 2, 4, 'lot_B')]);
    expect([engine.state.poolQty, engine.state.poolValue, engine.state.shortfalls]).toEqual([units(1), money(2), []]);
  });

  it('settles a shortfall stored by an earlier posting from the consumptions it is given, without changing them', () => {
    const stored = { movementId: 'm_old', effectiveAt: 0, layerId: '', qty: units(3), value: money(6) };
    const known = new Map([['m_old', [{ movementId: 'm_old', effectiveAt: 0, layerId: 'm_first', qty: units(1), value: money(2) }, { ...stored }]]]);
    const engine = new CostEngine({ ...emptyState('fifo', money(2)), shortfalls: [{ ...stored }] }, known);
    const late = inbound(3, 2.5);
    engine.process(late);
    // 1 at 2.00 drawn before, 3 settled at 2.50 (7.50): 9.50.
    expect(engine.effects.values.get('m_old')).toBe(money(9.5));
    expect(engine.effects.consumptions.get('m_old')).toEqual([
      { movementId: 'm_old', effectiveAt: 0, layerId: 'm_first', qty: units(1), value: money(2) },
      { movementId: 'm_old', effectiveAt: 0, layerId: late.id, qty: units(3), value: money(7.5) },
    ]);
    expect(known.get('m_old')![1]).toEqual(stored);
  });

  it('refuses to settle a shortfall whose consumptions it was not given, or that has none pending', () => {
    const stored = { movementId: 'm_old', effectiveAt: 0, layerId: '', qty: units(1), value: money(2) };
    const unknown = new CostEngine({ ...emptyState('fifo'), shortfalls: [{ ...stored }] });
    expect(() => unknown.process(inbound(1, 1.0))).toThrow('costing: no consumptions known for m_old');
    const settledAlready = new CostEngine({ ...emptyState('fifo'), shortfalls: [{ ...stored }] }, new Map([['m_old', [{ ...stored, layerId: 'm_first' }]]]));
    expect(() => settledAlready.process(inbound(1, 1.0))).toThrow('costing: m_old has no shortfall to settle');
  });

  it('leaves the last cost alone for an inbound of no quantity', () => {
    const engine = new CostEngine(emptyState('fifo', money(2)));
    engine.process(inbound(0, 3.0));
    expect([engine.state.lastUnitCost, engine.state.layers, engine.state.poolQty]).toEqual([money(2), [], 0]);
  });

  it('gives the unit cost of a value and quantity to the micro, and 0 for no quantity', () => {
    // 10.00 for 3 units: 3.333333…, rounded to 3.333333.
    expect(unitCostOf(money(10), units(3))).toBe(3_333_333);
    expect(unitCostOf(money(10), units(4))).toBe(2_500_000);
    expect(unitCostOf(money(10), 0)).toBe(0);
  });
});
