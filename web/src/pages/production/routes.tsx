import type { RouteObject } from 'react-router';
import { ProductionOrderPage } from './ProductionOrderPage.tsx';
import { ProductionPage } from './ProductionPage.tsx';

export const ProductionRoutes: RouteObject[] = [
  { path: 'production', element: <ProductionPage /> },
  { path: 'production/orders/:id', element: <ProductionOrderPage /> },
];
