import type { RouteObject } from 'react-router';
import { PageHeader } from '../../components/ui.tsx';

function Pending({ title }: { title: string }) {
  return (
    <section>
      <PageHeader title={title} />
      <p>This server has no sales module yet.</p>
    </section>
  );
}

export const SellingRoutes: RouteObject[] = [
  { path: 'selling/counter', element: <Pending title="Counter" /> },
  { path: 'selling/sales', element: <Pending title="Sales" /> },
  { path: 'selling/orders', element: <Pending title="Online orders" /> },
  { path: 'selling/returns', element: <Pending title="Returns" /> },
];
