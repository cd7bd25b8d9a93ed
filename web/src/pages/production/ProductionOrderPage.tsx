import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { CheckField, ErrorBanner, formatDateTime, Money, PageHeader, StatusBadge, TextField } from '../../components/ui.tsx';
import { formatQty, parseQuantityInput } from '../../lib/decimal.ts';
import { useProductionOrder, type ProductionOrder } from './types.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** One production order: its components, its completions and costs, and — at the oven, on a tablet — the form to complete it with what really happened. */
export function ProductionOrderPage() {
  const { id = '' } = useParams();
  const order = useProductionOrder(id);
  const o = order.data;
  if (!o) return <ErrorBanner error={order.error} />;
  return (
    <section className="production-order">
      <PageHeader title={`Production ${o.number}`} actions={<OrderActions order={o} />}>
        <p>
          <StatusBadge status={o.status} /> {formatQty(o.qty_planned, o.item.base_unit)} of <Link to={`/items/${o.item.id}`}>{o.item.name}</Link> at {o.site.name} · recipe v
          {o.bom_version}
          {o.planned_for ? ` · for ${o.planned_for}` : ''}
        </p>
      </PageHeader>
      <Summary order={o} />
      <Components order={o} />
      {['planned', 'started'].includes(o.status) && <CompleteForm order={o} />}
      <Postings order={o} />
    </section>
  );
}

function Summary({ order: o }: { order: ProductionOrder }) {
  const { seesCosts } = useSignedIn();
  return (
    <p data-testid="production-summary">
      Expected {formatQty(o.qty_expected)} · made {formatQty(o.qty_produced)} · scrapped {formatQty(o.qty_scrapped)}
      {o.status === 'completed' || o.status === 'closed' ? ` · yield variance ${formatQty(o.yield_variance)}` : ''}
      {seesCosts && o.qty_produced > 0 && (
        <>
          {' '}
          · cost <Money value={o.value_produced} /> (<Money value={o.unit_cost} unitCost /> each)
        </>
      )}
    </p>
  );
}

function Components({ order: o }: { order: ProductionOrder }) {
  const { seesCosts } = useSignedIn();
  return (
    <ListTable exportName="production-lines" data-testid="production-lines">
      <thead>
        <tr>
          <th scope="col">Component</th>
          <th scope="col" className="num">Planned</th>
          <th scope="col" className="num">Reserved</th>
          <th scope="col" className="num">Used</th>
          <th scope="col" className="num">Variance</th>
          {seesCosts && <th scope="col" className="num">Cost used</th>}
        </tr>
      </thead>
      <tbody>
        {o.lines.map((l) => (
          <tr key={l.id}>
            <td>
              <Link to={`/items/${l.item_id}`}>{l.name}</Link> <span className="muted mono">{l.sku}</span>
            </td>
            <td className="num">{formatQty(l.qty_planned, l.base_unit)}</td>
            <td className="num">{formatQty(l.qty_reserved)}</td>
            <td className="num">{formatQty(l.qty_consumed)}</td>
            <td className="num">{formatQty(l.qty_variance)}</td>
            {seesCosts && (
              <td className="num">
                <Money value={l.value_consumed} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </ListTable>
  );
}

/** Big fields, one per line: what came out of the oven and what went into it. */
function CompleteForm({ order: o }: { order: ProductionOrder }) {
  const session = useSignedIn();
  const qc = useQueryClient();
  const remaining = Math.max(0, o.qty_expected - o.qty_produced);
  const [made, setMade] = useState(String(remaining));
  const [scrapped, setScrapped] = useState('0');
  const [used, setUsed] = useState<Record<string, string>>(() => Object.fromEntries(o.lines.map((l) => [l.item_id, String(Math.max(0, l.qty_planned - l.qty_consumed))])));
  const [partial, setPartial] = useState(false);
  const parsedMade = parseQuantityInput(made, { allowZero: true });
  const parsedScrapped = parseQuantityInput(scrapped, { allowZero: true });
  const parsedUsed = o.lines.map((l) => ({ line: l, parsed: parseQuantityInput(used[l.item_id] ?? '', { allowZero: true }) }));
  const valid = parsedMade.ok && parsedScrapped.ok && parsedUsed.every((u) => u.parsed.ok);
  const complete = useMutation({
    mutationFn: () =>
      api.post<ProductionOrder>(
        `/api/v1/production-orders/${o.id}/complete`,
        {
          qty_produced: parsedMade.ok ? parsedMade.value : 0,
          qty_scrapped: parsedScrapped.ok ? parsedScrapped.value : 0,
          lines: parsedUsed.map((u) => ({ item_id: u.line.item_id, qty_consumed: u.parsed.ok ? u.parsed.value : 0 })),
          final: !partial,
        },
        { idempotencyKey: newIdempotencyKey('complete') },
      ),
    onSuccess: (next) => {
      qc.setQueryData(['production-order', o.id], next);
      void qc.invalidateQueries({ queryKey: ['production-orders'] });
    },
  });
  if (!session.can('production.write')) return null;
  return (
    <form
      className="card complete-form"
      data-testid="complete-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) complete.mutate();
      }}
    >
      <h2>Complete</h2>
      <ErrorBanner error={complete.error} />
      <div className="grid-2">
        <TextField label={`Good ${o.item.base_unit} made`} inputMode="decimal" value={made} onValue={setMade} error={parsedMade.ok ? undefined : parsedMade.message} />
        <TextField label="Made and thrown away (burnt)" inputMode="decimal" value={scrapped} onValue={setScrapped} error={parsedScrapped.ok ? undefined : parsedScrapped.message} />
      </div>
      <h3>Actually used</h3>
      <div className="grid-2">
        {parsedUsed.map(({ line, parsed }) => (
          <TextField
            key={line.id}
            label={`${line.name} (${line.base_unit})`}
            inputMode="decimal"
            value={used[line.item_id] ?? ''}
            onValue={(v) => setUsed((u) => ({ ...u, [line.item_id]: v }))}
            error={parsed.ok ? undefined : parsed.message}
          />
        ))}
      </div>
      <CheckField label="Only part of it: keep the rest reserved" checked={partial} onValue={setPartial} />
      <button type="submit" className="primary large" disabled={!valid || complete.isPending}>
        {partial ? 'Record this part' : 'Complete the order'}
      </button>
    </form>
  );
}

function Postings({ order: o }: { order: ProductionOrder }) {
  const { seesCosts } = useSignedIn();
  if (o.postings.length === 0) return null;
  return (
    <>
      <h2>Completions</h2>
      <ListTable exportName="production-postings" data-testid="production-postings">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col" className="num">Made</th>
            <th scope="col" className="num">Scrapped</th>
            <th scope="col">Lot</th>
            {seesCosts && <th scope="col" className="num">Consumed</th>}
            {seesCosts && <th scope="col" className="num">Labour + overhead</th>}
            {seesCosts && <th scope="col" className="num">Unit cost</th>}
          </tr>
        </thead>
        <tbody>
          {o.postings.map((p) => (
            <tr key={p.id}>
              <td>{formatDateTime(p.effective_at)}</td>
              <td className="num">{formatQty(p.qty_produced)}</td>
              <td className="num">{formatQty(p.qty_scrapped)}</td>
              <td>
                {p.lot_code ?? '—'}
                {p.expires_on ? ` (exp. ${p.expires_on})` : ''}
              </td>
              {seesCosts && (
                <td className="num">
                  <Money value={p.value_consumed} />
                </td>
              )}
              {seesCosts && (
                <td className="num">
                  <Money value={p.labour} /> + <Money value={p.overhead} />
                </td>
              )}
              {seesCosts && (
                <td className="num">
                  <Money value={p.unit_cost} unitCost />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </ListTable>
    </>
  );
}

function OrderActions({ order: o }: { order: ProductionOrder }) {
  const session = useSignedIn();
  const qc = useQueryClient();
  const act = useMutation({
    mutationFn: (action: 'start' | 'close' | 'cancel') => api.post<ProductionOrder>(`/api/v1/production-orders/${o.id}/${action}`, {}, { idempotencyKey: newIdempotencyKey(action) }),
    onSuccess: (next) => {
      qc.setQueryData(['production-order', o.id], next);
      void qc.invalidateQueries({ queryKey: ['production-orders'] });
    },
  });
  if (!session.can('production.write')) return null;
  return (
    <>
      <ErrorBanner error={act.error} />
      {o.status === 'planned' && (
        <button type="button" className="primary" onClick={() => act.mutate('start')} disabled={act.isPending}>
          Start and reserve
        </button>
      )}
      {['started', 'completed'].includes(o.status) && (
        <button type="button" onClick={() => act.mutate('close')} disabled={act.isPending}>
          Close
        </button>
      )}
      {['planned', 'started'].includes(o.status) && o.postings.length === 0 && (
        <button type="button" className="danger" onClick={() => act.mutate('cancel')} disabled={act.isPending}>
          Cancel
        </button>
      )}
    </>
  );
}
