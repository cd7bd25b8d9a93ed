import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The web app: built into dist/web, which `stockroom serve` serves at `/`.
 * `npm run dev:web` runs Vite's dev server and sends /api to a Stockroom server
 * (STOCKROOM_API, default http://127.0.0.1:3000). The Host header is passed through
 * unchanged so the server's same-origin check on writes sees the dev server's own origin.
 */
const api = process.env.STOCKROOM_API ?? 'http://127.0.0.1:3000';

/**
 * An installable app that opens without the server: the service worker precaches the app shell
 * (every built file) and answers every page address with index.html. The API is never cached
 * by the worker — what a till needs offline is kept in IndexedDB by the app (src/offline/), so
 * what is shown offline is what the app chose to keep, and a sign-out forgets it.
 */
const pwa = VitePWA({
  registerType: 'autoUpdate',
  // Registered by the app itself (src/offline/register-sw.ts), after the first render.
  injectRegister: false,
  includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
  manifest: {
    name: 'Stockroom',
    short_name: 'Stockroom',
    description: 'Stock, counter and scanner for the shop.',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#1f4b3f',
    icons: [
      { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
    navigateFallback: '/index.html',
    navigateFallbackDenylist: [/^\/api(\/|$)/, /^\/healthz/],
    cleanupOutdatedCaches: true,
    clientsClaim: true,
    skipWaiting: true,
    // The bundle's largest chunk is above Workbox's 2 MiB default.
    maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
  },
});

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), pwa],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // No source maps in the build: the server would publish the app's original source with them.
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/healthz': { target: api, changeOrigin: false },
    },
  },
});
