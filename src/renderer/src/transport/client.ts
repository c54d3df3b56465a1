import {
  operationNames, type Client, type InputOf, type OperationName, type OutputOf,
} from '../../../shared/contract';
import { AppError, isWireError, toAppError } from '../../../shared/errors';
import { createHttpClient } from './http-client';

/**
 * The one way the window reaches the engine: the preload's `window.api` inside Electron,
 * otherwise HTTP to the server that served this page. Components receive the result and
 * never know which transport they use.
 */
export function resolveClient(): Client {
  return window.api ? withAppErrors(window.api) : createHttpClient();
}

/**
 * The preload rejects with plain `{ code, message, details }` objects (an Error would lose its
 * code crossing the context bridge); rebuild them so callers always catch an AppError.
 */
export function withAppErrors(api: Client): Client {
  const wrap = <K extends OperationName>(name: K) =>
    async (input: InputOf<K>): Promise<OutputOf<K>> => {
      try {
        return await (api[name] as (i: InputOf<K>) => Promise<OutputOf<K>>)(input);
      } catch (error) {
        throw isWireError(error) ? AppError.fromWire(error) : toAppError(error);
      }
    };
  return Object.fromEntries(operationNames.map((name) => [name, wrap(name)])) as Client;
}
