/**
 * Structured log events: one JSON line each on stderr, with a name, fields and (for timed work)
 * a duration. Stdout stays clean for command output and `--json`. Fields pass through `redact`
 * so a connection string's password never reaches a log line.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const wanted = (process.env.EDUTECH_LOG ?? 'warn') as Level;
  return ORDER[wanted] ?? ORDER.warn;
}

/** Hides the password of any URL-like value (postgres://user:secret@host → user:***@host). */
export function redact(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/(\/\/[^:/@\s]+:)[^@\s]*@/g, '$1***@');
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) =>
      /password|secret|token/i.test(k) ? [k, '***'] : [k, redact(v)]));
  }
  return value;
}

function emit(level: Level, event: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < threshold()) return;
  const line = { time: new Date().toISOString(), level, event, ...(redact(fields) as object) };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

export const log = {
  debug: (event: string, fields?: Record<string, unknown>) => emit('debug', event, fields),
  info: (event: string, fields?: Record<string, unknown>) => emit('info', event, fields),
  warn: (event: string, fields?: Record<string, unknown>) => emit('warn', event, fields),
  error: (event: string, fields?: Record<string, unknown>) => emit('error', event, fields),
};
