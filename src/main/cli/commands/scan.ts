import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { assertSafeOutput } from '../../engine/output-file';
import path from 'node:path';
import type { ScanOutput, ScanProgressEvent } from '../../../shared/contract/scan';
import { renderMetrics, serveMetrics, writeMetricsTextfile } from '../../engine/scan/metrics';
import type { CliContext } from '../context';
import { abortOnCtrlC } from '../interrupt';
import { listenHost, listenPort } from '../listen-options';
import { wholeNumber } from '../whole-number';

/**
 * `edutech scan <folder>...` (what grafana.py and prometheus.py did on a cron) and
 * `edutech metrics` (the Prometheus side, read from the latest scan; never scans).
 */
export function registerScanCommands(program: Command, ctx: CliContext): void {
  program
    .command('scan')
    .description('count CSV data rows and notebook code cells per person into ds_stats')
    .argument('<folders...>', 'folders to scan (each is a root: people are folders below it)')
    .option('-t, --target <store>', 'sqlite (default) or postgres', 'sqlite')
    .option('--exclude <names...>', 'folder names to skip (replaces the defaults '
      + '.ipynb_checkpoints node_modules __pycache__; pass "" for none)')
    .option('--include-hidden', 'also scan hidden (dot) folders and files')
    .option('--follow-symlinks', 'follow symbolic links (loops are detected and recorded)')
    .option('--person-depth <n>', 'folder level naming the person: 1 root/user, 2 root/team/user',
      '1')
    .action(async (folders: string[], opts: ScanCliOptions) => {
      const input = scanInputOf(folders, opts);
      const result = await withProgress(!ctx.json(), (callCtx) =>
        ctx.call('scan', input, callCtx as { onProgress: (e: never) => void }));
      if (ctx.json()) return ctx.printJson(result);
      printSummary(result, input.personDepth);
    });

  program
    .command('metrics')
    .description('Prometheus metrics of the latest scan: print, serve, or write a textfile')
    .option('-t, --target <store>', 'sqlite (default) or postgres', 'sqlite')
    .option('--port <n>', 'serve GET /metrics on this port until interrupted')
    .option('--host <addr>', 'address to listen on (default: loopback only)', '127.0.0.1')
    .option('--textfile <path>', 'write a .prom file for node_exporter (atomic rename)')
    .action(async (opts: MetricsCliOptions) => {
      const target = opts.target === 'postgres' ? 'postgres' : 'sqlite';
      {
        const store = await ctx.engine().dsStats(target);
        if (opts.textfile) {
          assertSafeOutput(opts.textfile, ctx.engine().config.dbPath, 'metrics textfile');
          await writeMetricsTextfile(store, opts.textfile);
          if (ctx.json()) ctx.printJson({ textfile: path.resolve(opts.textfile) });
          else process.stderr.write(`metrics written to ${path.resolve(opts.textfile)}\n`);
        }
        if (opts.port !== undefined) {
          const server = await serveMetrics(store,
            { port: listenPort(opts.port), host: listenHost(opts.host) });
          process.stderr.write(`serving http://${opts.host}:${opts.port}/metrics (Ctrl+C stops)\n`);
          await new Promise<void>((resolve) => process.once('SIGINT', () => server.close(() =>
            resolve())));
          return;
        }
        if (!opts.textfile) process.stdout.write((await renderMetrics(store)).body);
      }
    });
}

interface ScanCliOptions {
  target: string;
  exclude?: string[];
  includeHidden?: boolean;
  followSymlinks?: boolean;
  personDepth: string;
}

interface MetricsCliOptions {
  target: string;
  port?: string;
  host: string;
  textfile?: string;
}

/** Folders are resolved against the working directory here: the contract takes absolute paths.
 * Validation itself happens once, in Engine.call, against the contract's schema. */
function scanInputOf(folders: string[], opts: ScanCliOptions) {
  return {
    // An empty argument would resolve to the working folder; keep it empty so it is refused.
    roots: folders.map((f) => (f.trim() === '' ? '' : path.resolve(f))),
    target: opts.target,
    exclude: opts.exclude?.filter((name) => name !== ''),
    includeHidden: Boolean(opts.includeHidden),
    followSymlinks: Boolean(opts.followSymlinks),
    personDepth: wholeNumber(opts.personDepth, '--person-depth'),
  };
}

type ScanCtx = { signal: AbortSignal; onProgress: (e: ScanProgressEvent) => void };

/** A live line on stderr (files, MB, errors, reused, current file); Ctrl+C cancels. */
async function withProgress(
  show: boolean,
  run: (ctx: ScanCtx) => Promise<ScanOutput>,
): Promise<ScanOutput> {
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'scan | {value} files | {mb} MB | {errors} errors | {reused} reused | {current}',
    hideCursor: true,
  });
  let started = false;
  const onProgress = (e: ScanProgressEvent): void => {
    if (!show) return;
    const payload = { mb: (e.bytes / 1e6).toFixed(1), errors: e.errors, reused: e.reused,
      current: e.currentPath.length > 60 ? `…${e.currentPath.slice(-59)}` : e.currentPath };
    if (!started) bar.start(0, e.files, payload);
    else bar.update(e.files, payload);
    started = true;
  };
  try {
    return await abortOnCtrlC((signal) => run({ signal, onProgress }));
  } finally {
    if (started) bar.stop();
  }
}

/**
 * Who the files were credited to. One person is said with the remedy, because a team folder
 * scanned at the default depth (root/team/person/…) credits everything to the team's name.
 */
function peopleLine(people: string[], depth: number): string {
  const shown = people.length > 8 ? [...people.slice(0, 8), '…'] : people;
  const line = `  credited to ${people.length} ${people.length === 1 ? 'person' : 'people'}`
    + (people.length ? `: ${shown.join(', ')}` : '');
  return people.length === 1 && people[0] !== '(root)'
    ? `${line} (if people's folders lie one level deeper, scan again with --person-depth `
      + `${depth + 1})`
    : line;
}

function printSummary(r: ScanOutput, personDepth: number): void {
  const lines = [
    `scan ${r.scanId} → ${r.target}: ${r.files} files (${r.csvFiles} CSV, ${r.notebooks} `
      + `notebooks), ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  ${r.csvRows} CSV data rows, ${r.codeCells} notebook code cells, ${r.reused} reused `
      + 'unchanged',
    peopleLine(r.people, personDepth),
    `  ${r.errors} problem(s)${r.errors ? ':' : ''}`,
    ...r.problems.slice(0, 20).map((p) => `    ${p.path}: ${p.error}`),
  ];
  if (r.problems.length > 20) lines.push(`    … (${r.errors - 20} more in ds_stats)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
