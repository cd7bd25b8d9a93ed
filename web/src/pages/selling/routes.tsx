import type { RouteObject } from 'react-router';
import { PageHeader } from '../../components/ui.tsx';
import { useCapabilities } from '../../lib/capabilities.ts';
import { ChannelsPage } from './Channels.tsx';
import { ChannelStockPage } from './ChannelStock.tsx';
import { ConnectPage } from './Connect.tsx';
import { CounterPage } from './Counter.tsx';
import { GooglePage } from './google/GooglePage.tsx';
import { OrderPage, OrdersPage } from './Orders.tsx';
import { ReturnsPage } from './Returns.tsx';
import { SalePage, SalesPage } from './Sales.tsx';

/** Selling needs the server's sales module; an older server gets a page that says so. */
function NeedsSales({ title, children }: { title: string; children: React.ReactNode }) {
  const caps = useCapabilities();
  if (caps.ready && !caps.has('post', '/api/v1/sales')) {
    return (
      <section>
        <PageHeader title={title} />
        <p>This server has no sales module yet.</p>
      </section>
    );
  }
  return <>{children}</>;
}

export const SellingRoutes: RouteObject[] = [
  { path: 'selling/counter', element: <NeedsSales title="Counter"><CounterPage /></NeedsSales> },
  { path: 'selling/sales', element: <NeedsSales title="Sales"><SalesPage /></NeedsSales> },
  { path: 'selling/sales/:id', element: <NeedsSales title="Sale"><SalePage /></NeedsSales> },
  { path: 'selling/orders', element: <NeedsSales title="Online orders"><OrdersPage /></NeedsSales> },
  { path: 'selling/orders/:id', element: <NeedsSales title="Order"><OrderPage /></NeedsSales> },
  { path: 'selling/channels', element: <NeedsSales title="Sales channels"><ChannelsPage /></NeedsSales> },
  { path: 'selling/channels/:id', element: <NeedsSales title="Channel stock"><ChannelStockPage /></NeedsSales> },
  { path: 'selling/channels/:id/connect', element: <NeedsSales title="Connect a channel"><ConnectPage /></NeedsSales> },
  { path: 'selling/google', element: <GooglePage /> },
  { path: 'selling/returns', element: <NeedsSales title="Returns"><ReturnsPage /></NeedsSales> },
];
