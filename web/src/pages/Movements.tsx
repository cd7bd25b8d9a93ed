import { useState } from 'react';
import { Link } from 'react-router';
import type { Movement } from '../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../auth/session.tsx';
import { ItemSearch } from '../components/ItemSearch.tsx';
import { DataTable, FilterInput, FilterSelect, PagedList, useUrlFilters, type Column } from '../components/PagedList.tsx';
import { Empty, formatDateTime, Money, PageHeader, Qty } from '../components/ui.tsx';
import { useItemLabel } from '../lib/items.ts';

const KINDS = ['adjustment', 'receipt', 'sale', 'sale_void', 'shipment', 'return', 'transfer', 'count', 'scrap', 'production', 'consumption', 'vendor_return'];

function documentLink(m: Movement): string | null {
  switch (m.document_type) {
    case 'receipt':
      return `/purchasing/receipts/${m.document_id}`;
    case 'adjustment':
      return `/stock/adjustments?id=${m.document_id}`;
    case 'sale':
      return `/selling/sales/${m.document_id}`;
    case 'order':
      return `/selling/orders/${m.document_id}`;
    default:
      return null;
  }
}

function ItemCell({ id }: { id: string }) {
  return <Link to={`/items/${id}`}>{useItemLabel(id)}</Link>;
}

/** The columns of a movement list; costs appear only for those who may see them (staff get no cost column at all). */
export function useMovementColumns(showItem = true): Column<Movement>[] {
  const session = useSignedIn();
  const label = useLocationLabel();
  const columns: Array<Column<Movement> | false> = [
    { key: 'when', header: 'When', cell: (m) => formatDateTime(m.effective_at) },
    showItem && { key: 'item', header: 'Item', cell: (m) => <ItemCell id={m.item_id} /> },
    { key: 'what', header: 'What', cell: (m) => `${m.kind}${m.reason ? ` · ${m.reason.replace(/_/g, ' ')}` : ''}` },
    { key: 'from', header: 'From', cell: (m) => label(m.from_location_id) },
    { key: 'to', header: 'To', cell: (m) => label(m.to_location_id) },
    {
      key: 'qty',
      header: 'Quantity',
      num: true,
      cell: (m) => (
        <>
          {m.direction === 'out' ? '−' : ''}
          <Qty value={m.qty} />
        </>
      ),
    },
    session.seesCosts && { key: 'value', header: 'Value', num: true, cell: (m) => <Money value={m.value} /> },
    {
      key: 'document',
      header: 'Document',
      cell: (m) => {
        const link = documentLink(m);
        return link ? <Link to={link}>{m.document_type}</Link> : m.document_type;
      },
    },
  ];
  return columns.filter((c): c is Column<Movement> => c !== false);
}

/** A short list of movements (the dashboard's most recent ones). */
export function MovementTable({ rows, showItem = true }: { rows: Movement[]; showItem?: boolean }) {
  const columns = useMovementColumns(showItem);
  if (rows.length === 0) return <Empty>No movements.</Empty>;
  return <DataTable columns={columns} rows={rows} rowKey={(m) => m.id} />;
}

const KIND_OPTIONS = [{ value: '', label: 'Any' }, ...KINDS.map((k) => ({ value: k, label: k }))];

export function MovementsPage() {
  const { siteId } = useSite();
  const filters = useUrlFilters();
  const [itemName, setItemName] = useState<string | null>(null);
  const itemId = filters.get('item_id');
  const kind = filters.get('kind');
  const from = filters.get('from');
  const to = filters.get('to');
  const columns = useMovementColumns();
  return (
    <section>
      <PageHeader title="Movement history" />
      <PagedList<Movement>
        noun="movements"
        queryKey={['movements', 'list', siteId, itemId, kind, from, to]}
        sources={{
          path: '/api/v1/movements',
          query: {
            location_id: siteId ?? undefined,
            item_id: itemId || undefined,
            kind: kind || undefined,
            from: from ? new Date(`${from}T00:00:00`).toISOString() : undefined,
            to: to ? new Date(`${to}T23:59:59.999`).toISOString() : undefined,
          },
        }}
        columns={columns}
        rowKey={(m) => m.id}
        empty="No movements."
        filters={
          <>
            <ItemSearch
              label="Item"
              placeholder={itemName ?? 'Any item'}
              onPick={(item) => {
                setItemName(`${item.name} (${item.sku})`);
                filters.set({ item_id: item.id });
              }}
            />
            {itemId && (
              <button type="button" className="link" onClick={() => filters.set({ item_id: '' })}>
                Any item
              </button>
            )}
            <FilterSelect label="Kind" name="kind" options={KIND_OPTIONS} />
            <FilterInput label="From" name="from" type="date" />
            <FilterInput label="To" name="to" type="date" />
          </>
        }
      />
    </section>
  );
}
