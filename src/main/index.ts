import path from 'node:path';
import { app, BrowserWindow, session } from 'electron';
import { resolveConfig } from './engine/config';
import { Engine } from './engine/engine';
import { log } from './engine/log';
import { registerIpc } from './ipc';
import { isRendererUrl, windowOptions } from './window-options';

/**
 * The Electron host: one window on the renderer, IPC wired to the engine, and nothing else.
 * Built by electron-vite into out/ (main, preload, renderer); the CLI and the HTTP host never
 * import this file.
 */

/** electron-vite sets ELECTRON_RENDERER_URL to its dev server in `electron-vite dev`. */
function rendererUrl(): string {
  const dev = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && dev) return dev;
  return new URL(`file://${path.join(__dirname, '../renderer/index.html')}`).href;
}

function lockDown(): void {
  // The window needs no camera, notifications, clipboard reads or anything else a page can ask.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) =>
    grant(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => {
      if (!isRendererUrl(event.url, rendererUrl())) {
        log.warn('window.navigation_blocked', { url: event.url });
        event.preventDefault();
      }
    });
    contents.on('will-redirect', (event) => {
      if (!isRendererUrl(event.url, rendererUrl())) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(windowOptions(path.join(__dirname, '../preload/index.js')));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(rendererUrl());
  return window;
}

async function start(): Promise<void> {
  await app.whenReady();
  lockDown();

  // The same defaults as the CLI: ~/.config/edutech-analyst/edutech.db and the shipped models.
  const engine = new Engine(resolveConfig());
  const unregister = registerIpc(engine, (url) => isRendererUrl(url, rendererUrl()));
  createWindow();

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    unregister();
    void engine.close();
  });
}

start().catch((error: unknown) => {
  log.error('app.start_failed', { message: (error as Error).message });
  app.exit(1);
});
