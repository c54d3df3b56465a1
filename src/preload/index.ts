import { contextBridge, ipcRenderer } from 'electron';
import {
  operationNames, type InputOf, type OperationName, type OutputOf, type Client,
} from '../shared/contract';
import { channelOf, type IpcResult } from './ipc-envelope';

/**
 * One named function for one contract operation, bound to its own channel.
 *
 * A failure rejects with the plain `{ code, message, details }` object, not an Error: the
 * context bridge copies an Error's message but drops its `code`, while a plain object crosses
 * whole. The renderer turns it back into an AppError (src/renderer/src/transport/client.ts).
 */
function invoker<K extends OperationName>(name: K) {
  return async (input: InputOf<K>): Promise<OutputOf<K>> => {
    const result = (await ipcRenderer.invoke(channelOf(name), input)) as IpcResult<OutputOf<K>>;
    if (result.ok) return result.value;
    throw result.error;
  };
}

// The keys come from the contract; `satisfies` checks every function against the Client type.
const api = Object.fromEntries(operationNames.map((name) => [name, invoker(name)])) as {
  [K in OperationName]: ReturnType<typeof invoker<K>>;
};

/**
 * The only thing the page gets from Electron. No `ipcRenderer`, no generic
 * `invoke(channel, …)`: a script in the page cannot reach a channel that is not an operation.
 */
contextBridge.exposeInMainWorld('api', api satisfies Client);
