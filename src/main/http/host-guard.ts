import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WireError } from '../../shared/errors';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Whether an interface address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host name of a `Host` header, without the port (`[::1]:8765` → `[::1]`). */
export function hostName(header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  return header.split(':')[0] ?? '';
}

/**
 * Refuses requests whose `Host` header names anything but this machine. A server on loopback
 * is still reachable from any web page the user opens, through DNS rebinding (a hostile name
 * re-pointed at 127.0.0.1); such requests carry the hostile name in `Host`, so they stop here.
 */
export function hostGuard() {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> => {
    const name = hostName(request.headers.host ?? '').toLowerCase();
    if (isLoopback(name)) return;
    return reply.code(421).send({ code: 'BAD_INPUT',
      message: `requests to host "${name}" are not served; use 127.0.0.1 or localhost`,
      details: { host: name } } satisfies WireError);
  };
}
