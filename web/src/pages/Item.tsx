import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { Item } from '../api/types.ts';
import { useSignedIn } from '../auth/session.tsx';
import { PrintLabels } from '../components/PrintLabels.tsx';
import { ErrorBanner, Loading, Money, PageHeader, StatusBadge } from '../components/ui.tsx';
import { PriceHistory } from './item/PriceHistory.tsx';
import { ArchiveButton } from './item/ArchiveButton.tsx';
import { CostLayers } from './item/CostLayers.tsx';
import { ItemDetails } from './item/ItemDetails.tsx';
import { ItemForecast } from './item/ItemForecast.tsx';
import { ItemHistory } from './item/ItemHistory.tsx';
import { ItemLots } from './item/ItemLots.tsx';
import { ItemSales } from './item/ItemSales.tsx';
import { ItemVendors } from './item/ItemVendors.tsx';
import { ItemLevels } from './item/ItemLevels.tsx';
import { OnHandChart } from './item/OnHandChart.tsx';
import { StockByLocation } from './item/StockByLocation.tsx';
import { ItemCountHistory } from './counts/ItemCountHistory.tsx';
import { ItemBom } from './item/ItemBom.tsx';

/**
 * One item. A stocked item shows its stock, its history and its cost; an item that is not stocked
 * (a latte, a gift basket) has none of those of its own, so its page shows what it sold and what
 * its sales took from stock instead of an empty stock card, a flat chart and "No movements".
 */
export function ItemPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const item = useQuery({ queryKey: ['item', id], queryFn: () => api.get<Item>(`/api/v1/items/${id}`) });
  if (item.isLoading) return <Loading />;
  if (item.error || !item.data) return <ErrorBanner error={item.error} title="This item could not be opened" />;
  const it = item.data;
  const sells = session.can('sales.read');
  return (
    <section className="item-page">
      <PageHeader
        title={it.name}
        actions={
          <>
            <PrintLabels source={{ kind: 'items', items: [{ item_id: it.id }] }} defaultTemplate="shelf_tag" />{' '}
            {session.can('items.write') && (
              <>
                <Link className="button" to={`/items/${it.id}/edit`}>
                  Edit
                </Link>
                <ArchiveButton item={it} />
              </>
            )}
          </>
        }
      >
        <p className="subtitle">
          <span className="mono">{it.sku}</span> · {it.category ?? 'no category'} · sold by {it.base_unit}
          {it.price && (
            <>
              {' '}
              at <Money value={it.price} />
            </>
          )}{' '}
          · <StatusBadge status={it.status} /> {!it.stocked && <StatusBadge status="not_stocked" />}
        </p>
      </PageHeader>
      {it.stocked ? (
        <>
          <div className="grid-2">
            <StockByLocation item={it} />
            <OnHandChart item={it} />
          </div>
          <div className="grid-2">
            <ItemDetails item={it} />
            <ItemLots item={it} />
          </div>
          {sells && <ItemSales item={it} />}
          <ItemForecast item={it} />
          <ItemBom item={it} />
          {session.seesCosts && <CostLayers item={it} />}
          {session.seesCosts && <PriceHistory itemId={it.id} />}
          {session.can('purchasing.read') && <ItemVendors item={it} />}
          {it.stocked && session.can('stock.read') && <ItemLevels item={it} />}
          <ItemHistory item={it} />
          <ItemCountHistory itemId={it.id} />
        </>
      ) : (
        <>
          {sells && <ItemSales item={it} />}
          <ItemDetails item={it} />
          {session.seesCosts && <PriceHistory itemId={it.id} />}
        </>
      )}
    </section>
  );
}
