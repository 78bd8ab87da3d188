import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console. `nx build web` writes `dist/apps/web`, which the gateway
 * serves at `/`; `npm run dev:web` is Vite's hot reload against the running
 * stack (`/api` proxied to the gateway on :3000, so the session cookie works).
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../../dist/apps/web',
    emptyOutDir: true,
    sourcemap: true,
    // The pages are their own chunks (React.lazy); vendor code in one cacheable chunk.
    rollupOptions: {
      output: {
        manualChunks: (id) =>
          id.includes('node_modules/@mantine') ||
          id.includes('node_modules/react') ||
          id.includes('node_modules/@tanstack') ||
          id.includes('node_modules/scheduler')
            ? 'vendor'
            : undefined,
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.SMARTBEAK_GATEWAY_URL ?? 'http://127.0.0.1:3000' } },
  },
});
