import type { RouteObject } from 'react-router';
import { NewTransferPage } from './NewTransfer.tsx';
import { ReceiveTransferPage } from './ReceiveTransfer.tsx';
import { TransferPage } from './TransferDetail.tsx';
import { TransfersPage } from './TransfersList.tsx';

export const TransferRoutes: RouteObject[] = [
  { path: 'stock/transfers', element: <TransfersPage /> },
  { path: 'stock/transfers/new', element: <NewTransferPage /> },
  { path: 'stock/transfers/:id', element: <TransferPage /> },
  { path: 'stock/transfers/:id/receive', element: <ReceiveTransferPage /> },
];
