import fs from 'node:fs';
import path from 'node:path';
import fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { operationNames } from '../../shared/contract';
import { AppError, ERROR_CODES, type WireError } from '../../shared/errors';
import type { Engine } from '../engine/engine';
import { log } from '../engine/log';
import { hostGuard, isLoopback } from './host-guard';
import { registerOperationRoutes } from './operation-routes';

export interface ServerOptions {
  /** Interface to listen on; loopback unless the operator says otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Folder of the built renderer (`npm run build:web`); false serves the API only. */
  webRoot?: string | false;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8765;

/** The same policy as the renderer's meta tag, sent as a header too for the built pages. */
export const RENDERER_CSP = "default-src 'self'; script-src 'self'; "
  + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
  + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The HTTP host: every contract operation as `POST /api/<name>`, the OpenAPI document at
 * `/openapi.json`, its docs page at `/docs`, and (browser mode) the built renderer at `/`.
 * The server is returned ready but not listening; see `startServer`.
 */
export async function createServer(
  engine: Engine, opts: ServerOptions = {},
): Promise<FastifyInstance> {
  const app = fastify({
    logger: false, bodyLimit: 1024 * 1024,
    // Failures before routing (a URL that is not valid percent-encoding) skip the error
    // handler unless passed here.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
  });
  const host = opts.host ?? DEFAULT_HOST;
  if (isLoopback(host)) app.addHook('onRequest', hostGuard());
  app.addHook('onResponse', async (request, reply) => {
    log.debug('http.request', { method: request.method, url: request.url,
      status: reply.statusCode, durationMs: Math.round(reply.elapsedTime) });
  });
  app.setErrorHandler(errorHandler);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Edutech Analyst API', version: packageVersion(),
        description: 'Every operation of the contract as `POST /api/<operation>` with a JSON '
          + 'body. Failures answer `{ code, message, details }` with the status of the code.' },
      tags: [
        { name: 'operations', description: 'quick calls' },
        { name: 'jobs', description: 'long jobs; send `Accept: application/x-ndjson` to stream '
          + 'progress, and close the connection to cancel' },
      ],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  // Stopping the server (Ctrl+C on `serve`) cancels the jobs it is running, each within one
  // batch, rather than waiting for them to finish; a backfill resumes on its next call.
  const shutdown = new AbortController();
  app.addHook('preClose', async () => {
    shutdown.abort();
  });
  registerOperationRoutes(app, engine, shutdown.signal);
  app.get('/api/health', { schema: { hide: true } },
    async () => ({ status: 'ok', version: packageVersion(), operations: operationNames.length }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const webRoot = opts.webRoot === undefined ? defaultWebRoot() : opts.webRoot;
  if (webRoot && fs.existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      schemaHide: true,
      setHeaders: (reply, file) => {
        if (file.endsWith('.html')) reply.header('content-security-policy', RENDERER_CSP);
        reply.header('x-content-type-options', 'nosniff');
      },
    });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/plain')
      .send('Edutech Analyst API. The window is not built: run `npm run build:web`. '
        + 'API docs: /docs\n'));
  }

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: 'BAD_INPUT',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
      details: { operations: operationNames } } satisfies WireError);
  });
  await app.ready();
  return app;
}

export interface RunningServer {
  app: FastifyInstance;
  /** Base URL, e.g. `http://127.0.0.1:8765`. */
  url: string;
  close(): Promise<void>;
}

/** Creates the server and listens; with port 0 the URL carries the port actually chosen. */
export async function startServer(
  engine: Engine, opts: ServerOptions = {},
): Promise<RunningServer> {
  const app = await createServer(engine, opts);
  const host = opts.host ?? DEFAULT_HOST;
  const wanted = opts.port ?? DEFAULT_PORT;
  try {
    await app.listen({ host, port: wanted });
  } catch (error) {
    await app.close();
    const reason = (error as NodeJS.ErrnoException).code;
    if (reason === 'EADDRINUSE' || reason === 'EACCES' || reason === 'EADDRNOTAVAIL') {
      throw new AppError('BAD_INPUT', `cannot listen on ${host}:${wanted} (${reason}): `
        + 'choose another --port or --host', { host, port: wanted, reason });
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info('http.listen', { url, webRoot: opts.webRoot ?? defaultWebRoot() });
  return { app, url, close: () => app.close() };
}

/**
 * Fastify's own failures (unparsable JSON, wrong content type, body too large) in the
 * contract's error shape, so a client needs to read one kind of error body.
 */
function errorHandler(error: FastifyError, _request: unknown, reply: FastifyReply): void {
  const status = error.statusCode ?? 500;
  const wire: WireError = status < 500
    ? { code: 'BAD_INPUT', message: error.message, details: { reason: error.code } }
    : { code: 'INTERNAL', message: 'an unexpected failure in the HTTP host' };
  if (status >= 500) log.error('http.failed', { message: error.message, code: error.code });
  reply.code(status < 500 ? status : ERROR_CODES.INTERNAL.status).send(wire);
}

/** `dist/web` under the package root, found from wherever this file runs (src or dist). */
export function defaultWebRoot(): string {
  return path.join(packageRoot(), 'dist', 'web');
}

function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

let version: string | undefined;
function packageVersion(): string {
  version ??= (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as
    { version: string }).version;
  return version;
}
