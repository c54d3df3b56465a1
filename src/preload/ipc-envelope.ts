import type { OperationName } from '../shared/contract';
import type { WireError } from '../shared/errors';

/** The IPC channel of one contract operation. */
export function channelOf(name: OperationName): `op:${OperationName}` {
  return `op:${name}`;
}

/**
 * What an `op:<name>` handler answers. Failures come back as values, not throws: Electron
 * reduces an error thrown in `ipcMain.handle` to a message string, and the code would be lost.
 */
export type IpcResult<T = unknown> = { ok: true; value: T } | { ok: false; error: WireError };
