import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ErrorBanner, Loading, Money, PageHeader, Progress, StatusBadge, TextField } from '../../components/ui.tsx';
import { itemLabel, useItemsById } from '../../lib/items.ts';
import { NewOrder } from './orders/NewOrder.tsx';
import { OrderLines } from './orders/OrderLines.tsx';
import { OrderList, useChannels } from './orders/OrderList.tsx';
import { PickListCard } from './orders/PickListCard.tsx';
import { ShipmentCard } from './orders/ShipmentCard.tsx';
import type { Order, PickList, Shipment } from './types.ts';

export function OrdersPage() {
  const session = useSignedIn();
  const [creating, setCreating] = useState(false);
  const channels = useChannels();
  return (
    <section>
      <PageHeader
        title="Online orders"
        actions={
          session.can('orders.write') && (
            <button type="button" className="primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
              Take an order
            </button>
          )
        }
      />
      {creating && <NewOrder channels={(channels.data?.data ?? []).filter((c) => c.kind !== 'pos' && c.status === 'active')} />}
      <OrderList />
    </section>
  );
}

export function OrderPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const qc = useQueryClient();
  const order = useQuery({ queryKey: ['order', id], queryFn: () => api.get<Order>(`/api/v1/orders/${id}`) });
  const picks = useQuery({ queryKey: ['order-picks', id], queryFn: () => api.get<{ data: PickList[] }>(`/api/v1/orders/${id}/pick-lists`) });
  const shipments = useQuery({ queryKey: ['order-shipments', id], queryFn: () => api.get<{ data: Shipment[] }>(`/api/v1/orders/${id}/shipments`) });
  const items = useItemsById((order.data?.lines ?? []).map((l) => l.item_id));
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['order', id] });
    void qc.invalidateQueries({ queryKey: ['order-picks', id] });
    void qc.invalidateQueries({ queryKey: ['order-shipments', id] });
    void qc.invalidateQueries({ queryKey: ['orders'] });
  };
  const act = useMutation({
    mutationFn: (call: () => Promise<unknown>) => call(),
    onSuccess: refresh,
  });
  const [cancelReason, setCancelReason] = useState('');
  if (order.isLoading) return <Loading />;
  if (!order.data) return <ErrorBanner error={order.error} />;
  const o = order.data;
  const open = o.status === 'allocated' || o.status === 'partially_shipped' || o.status === 'back_ordered';
  // A pick list is due when reserved stock is neither on a pick list still being worked nor packed.
  const activePick = (picks.data?.data ?? []).some((p) => p.status === 'open' || (p.status === 'picked' && p.lines.some((l) => l.qty_packed < l.qty)));
  const unpicked = !activePick && o.lines.some((l) => l.reservations.length > 0 && l.qty_packed < l.qty - l.qty_shipped - l.qty_cancelled);
  return (
    <section>
      <PageHeader
        title={`Order ${o.channel_order_id}`}
        actions={
          <>
            {session.can('orders.write') && !o.confirmed_at && open && (
              <button type="button" onClick={() => act.mutate(() => api.post(`/api/v1/orders/${id}/confirm`))}>
                Mark paid
              </button>
            )}
            {session.can('fulfillment.write') && open && unpicked && (
              <button type="button" className="primary" onClick={() => act.mutate(() => api.post(`/api/v1/orders/${id}/pick-lists`))}>
                Make pick list
              </button>
            )}
            {session.can('returns.write') && (o.status === 'shipped' || o.status === 'delivered' || o.status === 'partially_shipped') && (
              <Link className="button" to={`/selling/returns?order_id=${o.id}`}>
                Return
              </Link>
            )}
          </>
        }
      >
        <p className="subtitle">
          <StatusBadge status={o.status} /> · {o.customer_name ?? ''} {o.customer_email ?? ''} · ship to {o.ship_to ?? '—'} · <Money value={o.total} currency={o.currency} />
          {o.confirmed_at ? ' · paid' : ' · not paid yet'}
        </p>
      </PageHeader>
      {act.isPending && <Progress label="Working…" />}
      <ErrorBanner error={act.error} />
      <OrderLines order={o} items={items} />
      {(picks.data?.data ?? []).map((p) => (
        <PickListCard key={p.id} pick={p} itemName={(itemId) => itemLabel(items.get(itemId), itemId)} onChange={refresh} />
      ))}
      {(shipments.data?.data ?? []).map((s) => (
        <ShipmentCard key={s.id} shipment={s} onChange={refresh} />
      ))}
      {session.can('orders.write') && open && (
        <div className="card">
          <h2>Cancel what has not shipped</h2>
          <TextField label="Reason" value={cancelReason} onValue={setCancelReason} />
          <button type="button" onClick={() => act.mutate(() => api.post(`/api/v1/orders/${id}/cancel`, { reason: cancelReason || 'cancelled by the shop' }))}>
            Cancel order
          </button>
        </div>
      )}
    </section>
  );
}

