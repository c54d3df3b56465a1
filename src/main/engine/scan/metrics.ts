import http from 'node:http';
import path from 'node:path';
import { Gauge, Registry } from 'prom-client';
import { log } from '../log';
import { writeReplacing } from '../output-file';
import type { DsStatsStore, LatestScan } from './ds-stats-store';

/**
 * The Prometheus view of the latest finished scan, replacing prometheus.py. Everything is read
 * from the store: a scrape never starts a scan, so scraping every 15 s costs two queries. Labels
 * are only person and kind (both bounded by the team's folders); per-file detail stays in
 * ds_stats, where a label per path would not explode the series count.
 */

const PREFIX = 'edutech_ds_';

/** A fresh registry per render: nothing from an older scan lingers as a stale series. */
function registryFor(latest: LatestScan | undefined): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []): Gauge<string> =>
    new Gauge({ name: PREFIX + name, help, labelNames, registers: [registry] });

  gauge('last_scan_present', 'Whether the store holds a finished scan (1) or not (0)')
    .set(latest ? 1 : 0);
  if (!latest) return registry;

  const { scan, groups } = latest;
  const finished = scan.finished ?? scan.started;
  gauge('last_scan_timestamp_seconds', 'When the latest finished scan ended, Unix time')
    .set(finished.getTime() / 1000);
  gauge('last_scan_duration_seconds', 'How long the latest finished scan took')
    .set(scan.durationS ?? 0);
  gauge('last_scan_reused_files', 'Files whose counts the latest scan reused (unchanged)')
    .set(scan.reused);

  const files = gauge('files', 'Files in the latest scan (kind dir: folders that failed)',
    ['person', 'kind']);
  const errors = gauge('file_errors', 'Files or folders the latest scan recorded with an error',
    ['person', 'kind']);
  const bytes = gauge('size_bytes', 'Bytes on disk of the files in the latest scan',
    ['person', 'kind']);
  const rows = gauge('csv_data_rows', 'CSV data rows (header excluded) in the latest scan',
    ['person']);
  const cells = gauge('notebook_code_cells', 'Notebook code cells in the latest scan',
    ['person']);
  for (const g of groups) {
    const labels = { person: g.person, kind: g.kind };
    files.set(labels, g.files);
    errors.set(labels, g.errors);
    bytes.set(labels, g.bytes);
    if (g.kind === 'csv') rows.set({ person: g.person }, g.dataRows);
    if (g.kind === 'notebook') cells.set({ person: g.person }, g.codeCells);
  }
  return registry;
}

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

/** The exposition text for the latest finished scan in the store. */
export async function renderMetrics(store: DsStatsStore): Promise<RenderedMetrics> {
  const registry = registryFor(await store.latestScan());
  return { contentType: registry.contentType, body: await registry.metrics() };
}

export interface ServeOptions {
  port: number;
  /** Loopback by default: scan figures name people, so exposing them is an explicit choice. */
  host?: string;
}

/**
 * Serves GET /metrics over plain HTTP until the returned server is closed. Resolves once it
 * listens (port 0 picks a free port: read it from `server.address()`).
 */
export async function serveMetrics(store: DsStatsStore, opts: ServeOptions): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n');
      return;
    }
    const started = performance.now();
    renderMetrics(store).then(({ contentType, body }) => {
      res.writeHead(200, { 'content-type': contentType });
      res.end(req.method === 'HEAD' ? undefined : body);
      log.debug('metrics.scrape', { durationMs: Math.round(performance.now() - started) });
    }, (error: unknown) => {
      log.error('metrics.failed', { message: (error as Error).message });
      res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * Writes the metrics for node_exporter's textfile collector. The text goes to a temporary file
 * in the same folder, then is renamed over the target: the collector reads either the old file
 * or the new one, never half of one. The temporary name does not end in .prom, so the
 * collector never picks it up.
 */
export async function writeMetricsTextfile(store: DsStatsStore, file: string): Promise<void> {
  const { body } = await renderMetrics(store);
  await writeReplacing(path.resolve(file), async (stream) => {
    stream.write(body);
  });
}
