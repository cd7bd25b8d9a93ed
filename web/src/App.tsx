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
import { ForecastAccuracyPage } from './pages/ForecastAccuracy.tsx';
import { AdjustmentsPage, NewAdjustmentPage } from './pages/Adjustments.tsx';
import { VendorPage, VendorsPage } from './pages/Vendors.tsx';
import { PurchaseOrderPage, PurchaseOrdersPage } from './pages/PurchaseOrders.tsx';
import { NewPurchaseOrderPage } from './pages/NewPurchaseOrder.tsx';
import { ReceiptPage, ReceiptsPage } from './pages/Receiving.tsx';
import { NewVendorReturnPage, VendorReturnPage, VendorReturnsPage } from './pages/VendorReturns.tsx';
import { AuditPage } from './pages/Audit.tsx';
import { LocationsPage } from './pages/Locations.tsx';
import { TokensPage, UsersPage } from './pages/Users.tsx';
import { SellingRoutes } from './pages/selling/routes.tsx';
import { TransferRoutes } from './pages/transfers/routes.tsx';
import { CountsRoutes } from './pages/counts/routes.tsx';
import { PricingPage } from './pages/pricing/PricingPage.tsx';
import { ProductsPage } from './pages/products/ProductsPage.tsx';
import { ProductPage } from './pages/products/ProductPage.tsx';
import { ImportPage } from './pages/imports/ImportPage.tsx';
import { NotificationRoutes } from './pages/notifications/routes.tsx';
import { ReportPage, ReportsPage, VendorPerformancePage } from './pages/reports/Reports.tsx';
import { ReportBuilderPage } from './pages/reports/ReportBuilder.tsx';
import { AlertSettingsPage } from './pages/alerts/AlertSettings.tsx';
import { ProductionRoutes } from './pages/production/routes.tsx';
import { ReplenishmentPage } from './pages/replenishment/ReplenishmentPage.tsx';
import { ModifierGroupsPage } from './pages/modifiers/ModifierGroups.tsx';
import { ExchangeRatesPage } from './pages/settings/ExchangeRates.tsx';
import { ShopSettingsPage } from './pages/settings/ShopSettings.tsx';
import { TaxSettingsPage } from './pages/settings/TaxSettings.tsx';
import { AccountingPage } from './pages/accounting/AccountingPage.tsx';
import { ConsentPage } from './pages/oauth/Consent.tsx';
import { MyLinkedAppsPage } from './pages/oauth/LinkedApps.tsx';
import { OauthClientsPage } from './pages/oauth/OauthClients.tsx';

const ScannerPage = lazy(() => import('./pages/Scanner.tsx'));

const router = createBrowserRouter([
  // The OAuth consent page stands alone: the person came from the Alexa app and goes back to it.
  { path: '/oauth/authorize', element: <ConsentPage /> },
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
      { path: 'items/pricing', element: <PricingPage /> },
      { path: 'items/products', element: <ProductsPage /> },
      { path: 'items/products/:id', element: <ProductPage /> },
      { path: 'items/import', element: <ImportPage /> },
      { path: 'items/modifiers', element: <ModifierGroupsPage /> },
      { path: 'items/:id', element: <ItemPage /> },
      { path: 'items/:id/edit', element: <ItemFormPage /> },
      { path: 'stock', element: <StockPage /> },
      { path: 'stock/movements', element: <MovementsPage /> },
      { path: 'stock/forecast-accuracy', element: <ForecastAccuracyPage /> },
      { path: 'stock/alerts', element: <AlertsPage /> },
      { path: 'stock/adjustments', element: <AdjustmentsPage /> },
      { path: 'stock/adjustments/new', element: <NewAdjustmentPage /> },
      ...TransferRoutes,
      { path: 'purchasing', element: <Navigate to="/purchasing/orders" replace /> },
      { path: 'purchasing/vendors', element: <VendorsPage /> },
      { path: 'purchasing/vendors/:id', element: <VendorPage /> },
      { path: 'purchasing/orders', element: <PurchaseOrdersPage /> },
      { path: 'purchasing/orders/new', element: <NewPurchaseOrderPage /> },
      { path: 'purchasing/orders/:id', element: <PurchaseOrderPage /> },
      { path: 'purchasing/receipts', element: <ReceiptsPage /> },
      { path: 'purchasing/receipts/:id', element: <ReceiptPage /> },
      { path: 'purchasing/vendor-returns', element: <VendorReturnsPage /> },
      { path: 'purchasing/vendor-returns/new', element: <NewVendorReturnPage /> },
      { path: 'purchasing/vendor-returns/:id', element: <VendorReturnPage /> },
      { path: 'purchasing/replenishment', element: <ReplenishmentPage /> },
      { path: 'purchasing/exchange-rates', element: <ExchangeRatesPage /> },
      ...SellingRoutes,
      ...CountsRoutes,
      ...NotificationRoutes,
      { path: 'reports', element: <ReportsPage /> },
      { path: 'reports/vendor-performance', element: <VendorPerformancePage /> },
      { path: 'reports/build', element: <ReportBuilderPage /> },
      { path: 'reports/:name', element: <ReportPage /> },
      ...ProductionRoutes,
      { path: 'admin/audit', element: <AuditPage /> },
      { path: 'accounting', element: <AccountingPage /> },
      { path: 'admin/locations', element: <LocationsPage /> },
      { path: 'admin/users', element: <UsersPage /> },
      { path: 'admin/tokens', element: <TokensPage /> },
      { path: 'admin/account-linking', element: <OauthClientsPage /> },
      { path: 'account/linked-apps', element: <MyLinkedAppsPage /> },
      { path: 'admin/settings', element: <ShopSettingsPage /> },
      { path: 'admin/tax', element: <TaxSettingsPage /> },
      { path: 'account/alerts', element: <AlertSettingsPage /> },
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
