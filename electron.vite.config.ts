import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

/**
 * The desktop build: main (the Electron host and the engine), preload (the `window.api`
 * bridge) and the renderer, into out/. The renderer is the same source vite.web.config.mts
 * builds for the browser.
 */
export default defineConfig({
  main: {
    build: {
      // Native modules (better-sqlite3, onnxruntime-node) and pg stay in node_modules.
      externalizeDeps: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require packages: bundle the contract (and zod) into it.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
