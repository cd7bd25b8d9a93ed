import { Workbox } from 'workbox-window';

/**
 * Registers the service worker that keeps the app shell, so the app opens (and reloads) with no
 * connection. Only in a built app served over HTTPS or from localhost: the dev server has no
 * worker, and a browser without service workers simply runs online.
 */
export function registerServiceWorker(): void {
  if (import.meta.env.DEV || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  const wb = new Workbox('/sw.js', { scope: '/' });
  void wb.register().catch((error: unknown) => console.warn('The offline app shell could not be installed:', error));
}
