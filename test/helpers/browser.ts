import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO } from './cli';

/** Debian's Chromium: the browser tests drive the distribution's build, not a download. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether Chromium is installed. Outside CI a missing browser skips the suite with a message;
 * under CI it is a failure, because the window must be tested there.
 */
export function haveChromium(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${CHROMIUM} is missing: CI must run the browser tests (apt-get install `
      + 'chromium)');
  }
  console.warn(`skipping the browser tests: ${CHROMIUM} is not installed`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox: test containers run as root, which Chromium's sandbox refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
}

/**
 * Builds the renderer from the current sources into `outDir`, so the test never drives a stale
 * `dist/web` and never races another build writing there.
 */
export function buildRenderer(outDir: string): void {
  const vite = path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', 'vite.web.config.mts',
    '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: REPO, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  if (r.status !== 0) throw new Error(`renderer build failed:\n${r.stderr}${r.stdout}`);
}
