import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRenderer, haveChromium, launchChromium } from './helpers/browser';
import {
  copyOuladDb, haveModel, startTestServer, tempDir, type TestServer,
} from './helpers/http';
import { haveShared } from './helpers/shared';

const present = haveShared() && haveChromium();
const MODEL = 'project_2411_clf';
const modelReady = haveModel(MODEL);
const SCREENSHOT = '/tmp/renderer.png';
if (present && !modelReady) {
  console.warn(`skipping the window's score cases: models/${MODEL}.onnx is not there yet`);
}

/**
 * The thin browser layer: the real renderer, built from the current sources, in Debian's
 * Chromium, talking HTTP to the real server and engine over the real OULAD store.
 */
describe.skipIf(!present)('the window in Chromium, over HTTP', () => {
  const tmp = tempDir('edutech-e2e-');
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    const webRoot = path.join(tmp.dir, 'web');
    buildRenderer(webRoot);
    server = await startTestServer(copyOuladDb(tmp.dir), { webRoot });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    // Uncaught errors and CSP refusals; a 4xx answer logs a console error by design.
    page.on('pageerror', (e) => pageProblems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
        pageProblems.push(m.text());
      }
    });
    await page.goto(server.url);
  });
  afterAll(async () => {
    await page?.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
    await browser?.close();
    await server?.stop();
    tmp.remove();
  });

  it('loads under its Content-Security-Policy and lists the models', async () => {
    await expect(page.getByRole('heading', { name: 'Edutech Analyst' }).isVisible())
      .resolves.toBe(true);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    expect(csp).toMatch(/default-src 'self'; script-src 'self';/);
    expect(pageProblems).toEqual([]);
    // The policy is enforced, not only declared: an injected inline script does not run.
    const injected = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.injected = "ran"';
      document.body.append(script);
      return document.body.dataset.injected ?? 'blocked';
    });
    expect(injected).toBe('blocked');
    pageProblems.length = 0;

    const models = (await server.engine.call('listModels', {})).models.map((m) => m.name);
    const options = page.getByTestId('model').locator('option');
    if (models.length) await expect.poll(() => options.allTextContents()).toEqual(models);
    // It starts on the recommended model, not on the alphabetically first one.
    const cards = (await server.engine.call('listModels', {})).models;
    const recommended = cards.find((m) => m.card?.recommended === true);
    if (recommended) expect(await page.getByTestId('model').inputValue()).toBe(recommended.name);
    expect(pageProblems).toEqual([]);
  });

  it('shows the contract error, code and message, for a malformed student id', async () => {
    await page.getByTestId('student-input').fill('12ab');
    await page.getByTestId('find').click();
    await page.getByTestId('error').waitFor();
    expect(await page.getByTestId('error-code').textContent()).toBe('BAD_INPUT');
    expect(await page.getByTestId('error-message').textContent()).toMatch(/findStudents/);
  });

  it('asks which presentation when the student has several', async () => {
    await page.getByTestId('student-input').fill('8462');
    await page.getByTestId('find').click();
    await page.getByTestId('enrolments').waitFor();
    expect(await page.getByTestId('error').count()).toBe(0);
    const radios = page.getByTestId('enrolments').locator('input[type=radio]');
    expect(await radios.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)))
      .toEqual(['DDD-2013J', 'DDD-2014J']);
    expect(await page.getByTestId('score').isDisabled()).toBe(true);
    await page.getByTestId('presentation-DDD-2014J').check();
  });

  it.skipIf(!modelReady)('shows the same score as the engine, at the end of a week', async () => {
    await page.getByTestId('model').selectOption(MODEL);
    await page.getByTestId('when-week').check();
    await page.getByTestId('week').fill('3');
    await page.getByTestId('score').click();
    await page.getByTestId('result').waitFor();

    const expected = await server.engine.call('score',
      { model: MODEL, student: 8462, presentation: 'DDD-2014J', week: 3 });
    const shown = page.getByTestId('score-value');
    expect(Number(await shown.getAttribute('data-value'))).toBe(expected.value);
    expect(await shown.textContent()).toBe(expected.value.toFixed(4));
    expect(await page.getByTestId('result').textContent()).toContain(`day ${expected.asOfDay}`);
  });

  it.skipIf(!modelReady)('shows the engine\'s caveats with a score past the measured weeks',
    async () => {
      await page.getByTestId('week').fill('20');
      await page.getByTestId('score').click();
      const expected = await server.engine.call('score',
        { model: MODEL, student: 8462, presentation: 'DDD-2014J', week: 20 });
      expect(expected.notes).toHaveLength(2);
      expect(expected.notes[0]).toMatch(/^day 139 is after week 10 \(day 69\)/);
      expect(expected.notes[1]).toMatch(/^DDD-2014J has no click data: /);
      await expect.poll(() => page.getByTestId('score-notes').textContent())
        .toBe(expected.notes.join(''));
    });

  it.skipIf(!modelReady)('shows BAD_WEEK, clearly, for a week past the end', async () => {
    await page.getByTestId('week').fill('99');
    await page.getByTestId('score').click();
    await page.getByTestId('error').waitFor();
    expect(await page.getByTestId('error-code').textContent()).toBe('BAD_WEEK');
    expect(await page.getByTestId('error-message').textContent())
      .toMatch(/week 99 is outside DDD-2014J, which has weeks 1\.\.\d+/);
    expect(await page.getByTestId('result').count()).toBe(0);
    expect(pageProblems).toEqual([]);
  });
});
