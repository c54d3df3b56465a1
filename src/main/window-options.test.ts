import { describe, expect, it } from 'vitest';
import { isRendererUrl, windowOptions } from './window-options';

describe('the main window', () => {
  it('gives the page no Node, a sandbox and its own JavaScript world', () => {
    const prefs = windowOptions('/app/out/preload/index.js').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.js',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('accepts only its own page as a navigation target or IPC sender', () => {
    const own = 'file:///app/out/renderer/index.html';
    expect(isRendererUrl('file:///app/out/renderer/index.html#score', own)).toBe(true);
    expect(isRendererUrl('file:///app/out/renderer/other.html', own)).toBe(false);
    expect(isRendererUrl('file:///etc/passwd', own)).toBe(false);
    expect(isRendererUrl('https://example.com/', own)).toBe(false);
    expect(isRendererUrl('not a url', own)).toBe(false);

    const dev = 'http://localhost:5173/';
    expect(isRendererUrl('http://localhost:5173/?x=1', dev)).toBe(true);
    expect(isRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isRendererUrl('http://localhost.evil.com:5173/', dev)).toBe(false);
  });
});
