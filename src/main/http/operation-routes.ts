import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { operations, operationNames, type OperationName } from '../../shared/contract';
import { AppError, ERROR_CODES, toAppError } from '../../shared/errors';
import type { Engine } from '../engine/engine';
import { errorResponses, streamLineSchema, toJsonSchema, type JsonSchema } from './schemas';

export const NDJSON = 'application/x-ndjson';

/**
 * Schemas here feed the OpenAPI document only. Fastify must neither validate nor serialise with
 * them: `engine.call` validates with the zod schema (the one source of truth, transforms
 * included), and a compiled serializer would silently drop fields the JSON Schema cannot name.
 */
const docsOnly = {
  validatorCompiler: () => () => true,
  serializerCompiler: () => (data: unknown) => JSON.stringify(data),
};

/** `POST /api/<operation>` for every operation of the contract. */
export function registerOperationRoutes(
  app: FastifyInstance, engine: Engine, shutdown: AbortSignal,
): void {
  for (const name of operationNames) {
    const op = operations[name];
    const result = toJsonSchema(op.output, 'output', `${name}.output`);
    const ok: JsonSchema = op.progress
      ? { description: 'the result; or, when asked for, a stream of progress then the result',
        content: {
          'application/json': { schema: result },
          [NDJSON]: { schema: streamLineSchema(op, name) },
        } }
      : { description: 'the result', ...result };

    app.post(`/api/${name}`, {
      ...docsOnly,
      schema: {
        summary: op.summary,
        operationId: name,
        tags: [op.progress ? 'jobs' : 'operations'],
        body: toJsonSchema(op.input, 'input', `${name}.input`),
        response: { 200: ok, ...errorResponses(op) },
      },
    }, (request, reply) => handleCall(engine, name, request, reply, shutdown));
  }
}

async function handleCall(
  engine: Engine, name: OperationName, request: FastifyRequest, reply: FastifyReply,
  shutdown: AbortSignal,
): Promise<unknown> {
  // A client that goes away has no use for the answer: cancel the job within one batch.
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  const stop = () => {
    // The connection ends with this answer: left open for keep-alive, the server's close would
    // wait for the client to drop it (fastify keeps idle connections for 72 s).
    const socket = request.raw.socket;
    reply.raw.once('finish', () => socket.destroySoon());
    controller.abort();
  };
  shutdown.addEventListener('abort', stop, { once: true });
  reply.raw.once('close', () => shutdown.removeEventListener('abort', stop));

  try {
    const body = jsonBody(request);
    if (wantsStream(request)) {
      // A bad input is refused with its status before the stream's 200 is sent.
      engine.validate(name, body);
      return await stream(engine, name, body, controller.signal, reply);
    }
    return await engine.call(name, body, { signal: controller.signal });
  } catch (error) {
    const appError = toAppError(error);
    return reply.code(ERROR_CODES[appError.code].status).send(appError.toWire());
  }
}

/**
 * The body as JSON. Fastify also reads text/plain, as a string, which the contract would refuse
 * as "expected object, received string": the client's mistake is the content type, so say that.
 */
function jsonBody(request: FastifyRequest): unknown {
  const body: unknown = request.body;
  // No body at all: an operation whose fields all have defaults (listModels) needs none.
  if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body))) {
    return body;
  }
  const type = request.headers['content-type'] ?? null;
  // A JSON string ("x") arrives as a string too: then the type was right and the value wrong.
  if (typeof body === 'string' && !(type !== null && /^application\/json\b/i.test(type))) {
    throw new AppError('BAD_INPUT', 'the body must be a JSON object sent as application/json, '
      + `not ${type ?? 'text'}`, { contentType: type });
  }
  const what = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a JSON ${typeof body}`;
  throw new AppError('BAD_INPUT', `the body must be a JSON object ({ … }), not ${what}`,
    { contentType: type });
}

function wantsStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').split(',').some((t) => t.trim().startsWith(NDJSON));
}

/**
 * Writes one JSON line per progress event, then one `result` or `error` line. The status is
 * sent with the first line: a job that fails before its first progress event (an unknown
 * model, an empty store, a run already going) answers with that error's status, as a plain
 * call would; a failure after that travels in-band, the 200 having been sent.
 */
async function stream(
  engine: Engine, name: OperationName, body: unknown, signal: AbortSignal, reply: FastifyReply,
): Promise<FastifyReply> {
  const out = new PassThrough();
  const line = (value: unknown) => {
    if (!out.writableEnded) out.write(`${JSON.stringify(value)}\n`);
  };
  let progressed!: () => void;
  const firstProgress = new Promise<'progress'>((resolve) => {
    progressed = () => resolve('progress');
  });
  const call = engine.call(name, body, { signal, onProgress: (event) => {
    progressed();
    line({ type: 'progress', event });
  } });
  const early = await Promise.race([firstProgress, call.then(() => 'done', () => 'failed')]);
  if (early === 'failed') {
    const appError = toAppError(await call.catch((error: unknown) => error));
    return reply.code(ERROR_CODES[appError.code].status).send(appError.toWire());
  }
  call
    .then((value) => line({ type: 'result', value }))
    .catch((error) => line({ type: 'error', error: toAppError(error).toWire() }))
    .finally(() => out.end());
  return reply
    .header('content-type', `${NDJSON}; charset=utf-8`)
    .header('cache-control', 'no-store')
    .send(out);
}
