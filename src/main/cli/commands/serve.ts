import type { Command } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT, startServer } from '../../http/server';
import { isLoopback } from '../../http/host-guard';
import { log } from '../../engine/log';
import type { CliContext } from '../context';
import { listenHost, listenPort } from '../listen-options';

/**
 * `edutech serve`: the HTTP API (and, once built, the browser window) until interrupted.
 * The command's promise settles only when the server has closed, so the CLI's engine stays
 * open for as long as requests can arrive.
 */
export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the API (docs at /docs) and the browser window over HTTP')
    .option('--port <port>', 'port to listen on (0: any free port)', String(DEFAULT_PORT))
    .option('--host <host>', 'interface to listen on', DEFAULT_HOST)
    .action(async (opts: { port: string; host: string }) => {
      const port = listenPort(opts.port);
      const host = listenHost(opts.host);
      if (!isLoopback(host)) {
        // The API reads and writes files named in requests (import, export): say so loudly.
        log.warn('http.exposed', { host,
          note: 'no authentication: anyone who reaches this address can call every operation' });
      }

      const server = await startServer(ctx.engine(), { host, port });
      if (ctx.json()) ctx.printJson({ url: server.url, docs: `${server.url}/docs` });
      else ctx.print(`Edutech Analyst at ${server.url}  (API docs: ${server.url}/docs)`);

      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
