import type { RouteObject } from 'react-router';
import { CountPage } from './CountDetail.tsx';
import { ApprovalQueuePage, CountsPage } from './CountsList.tsx';
import { NeedsCountPage } from './NeedsCount.tsx';

export const CountsRoutes: RouteObject[] = [
  { path: 'stock/counts', element: <CountsPage /> },
  { path: 'stock/counts/approvals', element: <ApprovalQueuePage /> },
  { path: 'stock/counts/needs', element: <NeedsCountPage /> },
  { path: 'stock/counts/:id', element: <CountPage /> },
];
