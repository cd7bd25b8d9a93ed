import { lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { SiteProvider, useSession } from './auth/session.tsx';
import { Layout } from './components/Layout.tsx';
import { Loading } from './components/ui.tsx';
import { SetupPage, SignInPage } from './pages/SignIn.tsx';
import { AlertsPage, DashboardPage } from './pages/Dashboard.tsx';
import { ItemsPage } from './pages/Items.tsx';
import { ItemPage } from './pages/Item.tsx';
import { ItemFormPage } from './pages/ItemForm.tsx';
import { StockPage } from './pages/Stock.tsx';
import { MovementsPage } from './pages/Movements.tsx';
import { AdjustmentsPage, NewAdjustmentPage } from './pages/Adjustments.tsx';
import { VendorPage, VendorsPage } from './pages/Vendors.tsx';
import { PurchaseOrderPage, PurchaseOrdersPage } from './pages/PurchaseOrders.tsx';
import { NewPurchaseOrderPage } from './pages/NewPurchaseOrder.tsx';
import { ReceiptPage, ReceiptsPage } from './pages/Receiving.tsx';
import { AuditPage } from './pages/Audit.tsx';
import { LocationsPage } from './pages/Locations.tsx';
import { TokensPage, UsersPage } from './pages/Users.tsx';
import { SellingRoutes } from './pages/selling/routes.tsx';

const ScannerPage = lazy(() => import('./pages/Scanner.tsx'));

const router = createBrowserRouter([
  {
    path: '/scanner/*',
    element: (
      <Suspense fallback={<Loading />}>
        <ScannerPage />
      </Suspense>
    ),
  },
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: 'items', element: <ItemsPage /> },
      { path: 'items/new', element: <ItemFormPage /> },
      { path: 'items/:id', element: <ItemPage /> },
      { path: 'items/:id/edit', element: <ItemFormPage /> },
      { path: 'stock', element: <StockPage /> },
      { path: 'stock/movements', element: <MovementsPage /> },
      { path: 'stock/alerts', element: <AlertsPage /> },
      { path: 'stock/adjustments', element: <AdjustmentsPage /> },
      { path: 'stock/adjustments/new', element: <NewAdjustmentPage /> },
      { path: 'purchasing', element: <Navigate to="/purchasing/orders" replace /> },
      { path: 'purchasing/vendors', element: <VendorsPage /> },
      { path: 'purchasing/vendors/:id', element: <VendorPage /> },
      { path: 'purchasing/orders', element: <PurchaseOrdersPage /> },
      { path: 'purchasing/orders/new', element: <NewPurchaseOrderPage /> },
      { path: 'purchasing/orders/:id', element: <PurchaseOrderPage /> },
      { path: 'purchasing/receipts', element: <ReceiptsPage /> },
      { path: 'purchasing/receipts/:id', element: <ReceiptPage /> },
      ...SellingRoutes,
      { path: 'admin/audit', element: <AuditPage /> },
      { path: 'admin/locations', element: <LocationsPage /> },
      { path: 'admin/users', element: <UsersPage /> },
      { path: 'admin/tokens', element: <TokensPage /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <a href="/">Go to the dashboard</a>.
      </p>
    </section>
  );
}

export function App() {
  const { status } = useSession();
  if (status === 'loading') return <Loading label="Starting Stockroom…" />;
  if (status === 'setup') return <SetupPage />;
  if (status === 'signed_out') return <SignInPage />;
  return (
    <SiteProvider>
      <RouterProvider router={router} />
    </SiteProvider>
  );
}
