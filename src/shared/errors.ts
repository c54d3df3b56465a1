/**
 * The product's error vocabulary. Every failure a user can cause has a stable code here, so the
 * CLI (exit codes), the HTTP API (status codes) and the window (messages) agree on what went
 * wrong. Errors cross process boundaries as plain `{ code, message, details }` objects and are
 * rebuilt into `AppError` on the other side.
 */

export const ERROR_CODES = {
  BAD_INPUT: { status: 400, exit: 2, summary: 'an input does not match the operation schema' },
  EMPTY_STORE: { status: 409, exit: 3, summary: 'the store holds no imported data yet' },
  UNKNOWN_MODEL: { status: 404, exit: 4, summary: 'no model with that name in the models folder' },
  UNKNOWN_STUDENT: { status: 404, exit: 5, summary: 'no enrolment for that student' },
  UNKNOWN_PRESENTATION: { status: 404, exit: 6, summary: 'no such presentation' },
  AMBIGUOUS_ENROLMENT: { status: 409, exit: 7, summary: 'the student has several enrolments' },
  BAD_WEEK: { status: 400, exit: 8, summary: 'week outside the presentation' },
  BAD_DATE: { status: 400, exit: 9, summary: 'unparsable date, or one before the start' },
  IMPORT_FAILED: { status: 422, exit: 10, summary: 'a source file is missing or malformed' },
  MODEL_FAILED: { status: 500, exit: 11, summary: 'the model file could not be loaded or run' },
  BAD_PROFILE: { status: 400, exit: 12, summary: 'a profile or table name is not allowed' },
  STORE_FAILED: { status: 503, exit: 13, summary: 'the database could not be reached or written' },
  SCAN_FAILED: { status: 422, exit: 14, summary: 'a scan root cannot be scanned' },
  BUSY: { status: 409, exit: 15, summary: 'the same job is already running elsewhere' },
  NO_OUTCOMES: { status: 409, exit: 16,
    summary: 'the presentation has not finished, or none of its final results are known' },
  CANCELLED: { status: 499, exit: 130, summary: 'the operation was cancelled' },
  INTERNAL: { status: 500, exit: 1, summary: 'an unexpected failure' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The serialisable shape an error takes over IPC, HTTP and `--json` output. */
export interface WireError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toWire(): WireError {
    return { code: this.code, message: this.message, details: this.details };
  }

  /** Rebuilds an error that arrived as JSON; unknown shapes become INTERNAL rather than vanish. */
  static fromWire(value: unknown): AppError {
    if (isWireError(value)) return new AppError(value.code, value.message, value.details ?? {});
    return new AppError('INTERNAL', `unexpected error payload: ${JSON.stringify(value)}`);
  }
}

export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && v.code in ERROR_CODES && typeof v.message === 'string';
}

/** System error codes that mean "a path, host or port the user gave is not usable". */
const INPUT_SYSTEM_CODES = new Set([
  'ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'EEXIST', 'ENOSPC', 'ELOOP',
  'ENAMETOOLONG', 'ENXIO',
  'EADDRINUSE', 'EADDRNOTAVAIL', 'ERR_SOCKET_BAD_PORT', 'ENOTFOUND', 'EAI_AGAIN',
]);

/**
 * Any thrown value as an AppError. Database errors (SQLite's `SQLITE_*` codes) become
 * STORE_FAILED and unusable paths or ports BAD_INPUT, so that what the user can fix is never
 * reported as INTERNAL; anything else keeps its message under INTERNAL.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new AppError('CANCELLED', 'the operation was cancelled');
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return new AppError('STORE_FAILED', `the SQLite store failed: ${message}`, { sqlite: code });
  }
  if (typeof code === 'string' && INPUT_SYSTEM_CODES.has(code)) {
    return new AppError('BAD_INPUT', message, { system: code });
  }
  return new AppError('INTERNAL', message);
}
