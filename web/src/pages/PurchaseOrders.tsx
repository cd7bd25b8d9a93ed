import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { PurchaseOrder } from '../api/types.ts';
import { useLocationLabel, useSignedIn } from '../auth/session.tsx';
import { ErrorBanner, formatDate, Loading, PageHeader, StatusBadge } from '../components/ui.tsx';
import { PurchaseOrderActions } from './purchase-orders/PurchaseOrderActions.tsx';
import { PurchaseOrderLineEditor } from './purchase-orders/PurchaseOrderLineEditor.tsx';
import { PurchaseOrderLines } from './purchase-orders/PurchaseOrderLines.tsx';
import { PurchaseOrderList } from './purchase-orders/PurchaseOrderList.tsx';
import { PurchaseOrderSide } from './purchase-orders/PurchaseOrderSide.tsx';

export function PurchaseOrdersPage() {
  const session = useSignedIn();
  return (
    <section>
      <PageHeader
        title="Purchase orders"
        actions={
          session.can('purchasing.write') && (
            <Link className="button primary" to="/purchasing/orders/new">
              New purchase order
            </Link>
          )
        }
      />
      <PurchaseOrderList />
    </section>
  );
}

export function PurchaseOrderPage() {
  const { id = '' } = useParams();
  const label = useLocationLabel();
  const po = useQuery({ queryKey: ['purchase-order', id], queryFn: () => api.get<PurchaseOrder>(`/api/v1/purchase-orders/${id}`) });
  if (po.isLoading) return <Loading />;
  if (!po.data) return <ErrorBanner error={po.error} />;
  const o = po.data;
  return (
    <section>
      <PageHeader title={`Purchase order ${o.number}`} actions={<PurchaseOrderActions order={o} />}>
        <p className="subtitle">
          <Link to={`/purchasing/vendors/${o.vendor.id}`}>{o.vendor.name}</Link> · deliver to {label(o.delivery_site_id)} · expected {formatDate(o.expected_on)} · <StatusBadge status={o.status} />
          {o.revision > 1 && ` · revision ${o.revision}`}
        </p>
      </PageHeader>
      <PurchaseOrderLines order={o} />
      <PurchaseOrderLineEditor order={o} />
      <PurchaseOrderSide order={o} />
      {(o.notes || o.terms) && (
        <div className="card">
          {o.terms && <p>Terms: {o.terms}</p>}
          {o.notes && <p>Notes: {o.notes}</p>}
        </div>
      )}
    </section>
  );
}
