import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useLocations, useSession, useSettings, useSignedIn, useSite } from '../auth/session.tsx';
import { NotificationBell } from './NotificationBell.tsx';
import { OfflineBanner } from '../offline/OfflineBanner.tsx';

interface NavEntry {
  to: string;
  label: string;
  permission?: string;
  end?: boolean;
}

const sections: { title: string; entries: NavEntry[] }[] = [
  {
    title: 'Overview',
    entries: [
      { to: '/', label: 'Dashboard', end: true },
      { to: '/reports', label: 'Reports', permission: 'stock.read' },
    ],
  },
  {
    title: 'Catalogue and stock',
    entries: [
      { to: '/items', label: 'Items', permission: 'items.read' },
      { to: '/items/pricing', label: 'Pricing', permission: 'costs.read' },
      { to: '/items/products', label: 'Products', permission: 'items.read' },
      { to: '/items/import', label: 'Import and export', permission: 'items.write' },
      { to: '/items/modifiers', label: 'Modifiers', permission: 'items.read' },
      { to: '/stock', label: 'Stock', permission: 'stock.read', end: true },
      { to: '/stock/adjustments', label: 'Adjustments', permission: 'adjustments.read' },
      { to: '/stock/transfers', label: 'Transfers', permission: 'stock.read' },
      { to: '/stock/counts', label: 'Counts', permission: 'stock.read' },
      { to: '/production', label: 'Production', permission: 'stock.read' },
      { to: '/stock/movements', label: 'Movements', permission: 'stock.read' },
      { to: '/stock/forecast-accuracy', label: 'Forecast accuracy', permission: 'reports.read' },
    ],
  },
  {
    title: 'Purchasing',
    entries: [
      { to: '/purchasing/replenishment', label: 'Replenishment', permission: 'purchasing.read' },
      { to: '/purchasing/orders', label: 'Purchase orders', permission: 'purchasing.read' },
      { to: '/purchasing/receipts', label: 'Receiving', permission: 'purchasing.read' },
      { to: '/purchasing/vendor-returns', label: 'Returns to vendor', permission: 'purchasing.read' },
      { to: '/purchasing/vendors', label: 'Vendors', permission: 'purchasing.read' },
      { to: '/purchasing/exchange-rates', label: 'Exchange rates', permission: 'purchasing.read' },
    ],
  },
  {
    title: 'Selling',
    entries: [
      { to: '/selling/counter', label: 'Counter', permission: 'sales.write' },
      { to: '/selling/sales', label: 'Sales', permission: 'sales.read' },
      { to: '/selling/orders', label: 'Online orders', permission: 'orders.read' },
      { to: '/selling/returns', label: 'Returns', permission: 'returns.write' },
      { to: '/selling/channels', label: 'Channels', permission: 'orders.read' },
      { to: '/selling/google', label: 'Google', permission: 'stock.read' },
    ],
  },
  {
    title: 'Administration',
    entries: [
      { to: '/admin/settings', label: 'Shop settings', permission: 'settings.write' },
      { to: '/admin/tax', label: 'Tax', permission: 'tax.write' },
      { to: '/admin/locations', label: 'Locations', permission: 'locations.read' },
      { to: '/admin/users', label: 'Users', permission: 'users.manage' },
      { to: '/admin/tokens', label: 'API tokens', permission: 'tokens.manage' },
      { to: '/admin/account-linking', label: 'Account linking', permission: 'settings.write' },
      { to: '/admin/audit', label: 'Audit log', permission: 'audit.read' },
      { to: '/admin/webhooks', label: 'Webhooks', permission: 'webhooks.manage' },
      { to: '/admin/deliveries', label: 'Deliveries', permission: 'deliveries.manage' },
      { to: '/accounting', label: 'Accounting', permission: 'costs.read' },
      { to: '/account/alerts', label: 'Alert settings' },
      { to: '/account/linked-apps', label: 'Linked apps' },
    ],
  },
];

export function SiteSwitcher() {
  const session = useSignedIn();
  const { sites } = useLocations();
  const { siteId, setSiteId } = useSite();
  if (sites.length === 0) return null;
  return (
    <label className="site-switcher">
      <span>Site</span>
      <select value={siteId ?? 'all'} onChange={(e) => setSiteId(e.target.value === 'all' ? null : e.target.value)} aria-label="Site you are working at">
        {session.sites === 'all' && <option value="all">All sites</option>}
        {sites.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout() {
  const { signOut, can, session } = useSession();
  const settings = useSettings();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  // After navigating, focus moves to the page so keyboard and screen-reader users start there.
  useEffect(() => {
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} /> {settings.shop_name}
        </span>
        <SiteSwitcher />
        <NotificationBell />
        <span className="who">
          {session?.user?.name ?? 'API token'} <span className={`badge badge-role`}>{session?.role}</span>
        </span>
        <NavLink to="/scanner" className="button ghost">
          Scanner mode
        </NavLink>
        <button type="button" className="ghost" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Main">
        {sections.map((section) => {
          const entries = section.entries.filter((e) => !e.permission || can(e.permission));
          if (entries.length === 0) return null;
          return (
            <div key={section.title}>
              <h2>{section.title}</h2>
              <ul>
                {entries.map((e) => (
                  <li key={e.to}>
                    <NavLink to={e.to} end={e.end}>
                      {e.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <OfflineBanner />
        <Outlet />
      </main>
    </div>
  );
}
