import type { RouteObject } from 'react-router';
import { DeliveriesPage } from './Deliveries.tsx';
import { DeliveryPage } from './DeliveryDetail.tsx';
import { WebhooksPage } from './Webhooks.tsx';

export const NotificationRoutes: RouteObject[] = [
  { path: 'admin/webhooks', element: <WebhooksPage /> },
  { path: 'admin/deliveries', element: <DeliveriesPage /> },
  { path: 'admin/deliveries/:id', element: <DeliveryPage /> },
];
