import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import type { ReplenishmentProposals } from '../../api/types.ts';
import { useSignedIn, useSite } from '../../auth/session.tsx';
import { ErrorBanner, FormErrors, Loading, PageHeader } from '../../components/ui.tsx';
import { BinMoveProposals } from './BinMoveProposals.tsx';
import { BulkLevels } from './BulkLevels.tsx';
import { chosenLines } from './lines.ts';
import { PurchaseProposals, type LineChoice } from './PurchaseProposals.tsx';
import { TransferProposals } from './TransferProposals.tsx';

type Created = { data: Array<{ id: string; number: string }> };

/**
 * What to buy and what to move: purchase proposals by vendor, transfer proposals by destination,
 * each line with its why. Quantities can be edited and lines dropped; one button makes the draft
 * purchase orders (never sent from here) and one the transfers.
 */
export function ReplenishmentPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const qc = useQueryClient();
  const [view, setView] = useState<'vendor' | 'destination'>('vendor');
  const [choices, setChoices] = useState<Record<string, LineChoice>>({});
  const [errors, setErrors] = useState<string[]>([]);
  const [made, setMade] = useState<Created['data']>([]);
  const [keys, setKeys] = useState(() => ({ po: newIdempotencyKey('rpo'), trf: newIdempotencyKey('rtr') }));
  const proposals = useQuery({
    queryKey: ['replenishment', siteId],
    queryFn: () => api.get<ReplenishmentProposals>('/api/v1/replenishment/proposals', siteId ? { site_id: siteId } : undefined),
  });
  const done = (r: Created) => {
    setMade((m) => [...m, ...r.data]);
    setChoices({});
    setKeys({ po: newIdempotencyKey('rpo'), trf: newIdempotencyKey('rtr') });
    void qc.invalidateQueries({ queryKey: ['replenishment'] });
  };
  const fail = (e: unknown) => setErrors([e instanceof Error ? e.message : String(e)]);
  const createPos = useMutation({ mutationFn: (lines: unknown) => api.post<Created>('/api/v1/replenishment/purchase-orders', { lines }, { idempotencyKey: keys.po }), onSuccess: done, onError: fail });
  const createTransfers = useMutation({ mutationFn: (lines: unknown) => api.post<Created>('/api/v1/replenishment/transfers', { lines }, { idempotencyKey: keys.trf }), onSuccess: done, onError: fail });

  if (proposals.isLoading) return <Loading />;
  if (proposals.error) return <ErrorBanner error={proposals.error} />;
  const p = proposals.data!;
  const chosen = chosenLines(p, choices);
  const onChoice = (key: string, c: LineChoice) => setChoices((cs) => ({ ...cs, [key]: c }));
  const submit = (kind: 'purchase' | 'transfer') => {
    if (Object.keys(chosen.errors).length) return setErrors(Object.values(chosen.errors).map((m) => `A quantity: ${m}`));
    setErrors([]);
    if (kind === 'purchase') createPos.mutate(chosen.purchase);
    else createTransfers.mutate(chosen.transfer);
  };

  return (
    <section>
      <PageHeader
        title="Replenishment"
        actions={
          <div className="button-row" role="tablist">
            <button type="button" role="tab" aria-selected={view === 'vendor'} className={view === 'vendor' ? 'primary' : 'ghost'} onClick={() => setView('vendor')}>
              To buy, by vendor
            </button>
            <button type="button" role="tab" aria-selected={view === 'destination'} className={view === 'destination' ? 'primary' : 'ghost'} onClick={() => setView('destination')}>
              To move, by destination
            </button>
          </div>
        }
      >
        <p className="muted">Items at or below their min, counting on hand, reserved, on order and coming by transfer. Drafts are never sent from here.</p>
      </PageHeader>
      <FormErrors messages={errors} />
      {made.length > 0 && (
        <p role="status">
          Made {made.map((d, i) => (
            <span key={d.id}>
              {i > 0 && ', '}
              {d.id.startsWith('po_') ? <Link to={`/purchasing/orders/${d.id}`}>{d.number}</Link> : <Link to={`/stock/transfers/${d.id}`}>{d.number}</Link>}
            </span>
          ))}
          .
        </p>
      )}
      {view === 'vendor' ? (
        <>
          <PurchaseProposals groups={p.purchase} choices={choices} onChoice={onChoice} />
          {session.can('purchasing.write') && chosen.purchase.length > 0 && (
            <button type="button" className="primary" disabled={createPos.isPending} onClick={() => submit('purchase')}>
              {createPos.isPending ? 'Creating…' : `Create draft purchase orders (${chosen.purchase.length} lines)`}
            </button>
          )}
        </>
      ) : (
        <>
          <TransferProposals groups={p.transfer} choices={choices} onChoice={onChoice} />
          {session.can('transfers.write') && chosen.transfer.length > 0 && (
            <button type="button" className="primary" disabled={createTransfers.isPending} onClick={() => submit('transfer')}>
              {createTransfers.isPending ? 'Creating…' : `Create transfers (${chosen.transfer.length} lines)`}
            </button>
          )}
          <BinMoveProposals groups={p.bin_moves ?? []} canMove={session.can('transfers.write')} />
        </>
      )}
      {session.can('purchasing.write') && <BulkLevels />}
    </section>
  );
}
