import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The main window's options. Kept free of runtime Electron imports so the security settings can
 * be unit-tested in plain Node. The page gets no Node, runs sandboxed in its own JavaScript
 * world, and reaches the engine only through the named functions the preload exposes.
 */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 980,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Edutech Analyst',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/**
 * Whether `url` is the window's own page (any query or hash). Everything else is refused as a
 * navigation target and as an IPC sender: a page that got navigated away, or a frame injected
 * into ours, must not reach the engine.
 */
export function isRendererUrl(url: string, rendererUrl: string): boolean {
  let target: URL;
  let own: URL;
  try {
    target = new URL(url);
    own = new URL(rendererUrl);
  } catch {
    return false;
  }
  return target.protocol === own.protocol && target.host === own.host
    && target.pathname === own.pathname;
}
