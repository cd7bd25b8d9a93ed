import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app: built into dist/web, which `stockroom serve` serves at `/`.
 * `npm run dev:web` runs Vite's dev server and sends /api to a Stockroom server
 * (STOCKROOM_API, default http://127.0.0.1:3000). The Host header is passed through
 * unchanged so the server's same-origin check on writes sees the dev server's own origin.
 */
const api = process.env.STOCKROOM_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
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
