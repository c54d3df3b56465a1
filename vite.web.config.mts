import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The renderer as a plain web page (browser mode), served by `edutech serve` from `dist/web`.
 * The same sources build into the Electron window through electron.vite.config.ts.
 */
export default defineConfig({
  root: resolve(import.meta.dirname, 'src/renderer'),
  base: './',
  plugins: [react()],
  // `vite --config vite.web.config.ts` for live editing, against a running `edutech serve`.
  server: { proxy: { '/api': 'http://127.0.0.1:8765' } },
  build: {
    outDir: resolve(import.meta.dirname, 'dist/web'),
    emptyOutDir: true,
    target: 'es2022',
  },
});
