import { ipcMain, type WebFrameMain } from 'electron';
import { operationNames } from '../shared/contract';
import { toAppError } from '../shared/errors';
import { channelOf, type IpcResult } from '../preload/ipc-envelope';
import type { Engine } from './engine/engine';
import { log } from './engine/log';

/**
 * One `ipcMain.handle('op:<name>')` per contract operation. Each handler checks who is asking
 * (only our own page, in the top frame), lets `engine.call` validate the input against the
 * contract, and answers an IpcResult so the error code survives the trip.
 *
 * Known shortcoming: the engine runs in the main process, so a long job (an import) keeps the
 * main process busy between batches and the window's events wait behind it. The sound shape
 * is the engine in a utility process behind a MessagePort, as Actual Budget and Beekeeper
 * Studio do; progress events and cancellation over IPC are not wired up either.
 *
 * Returns a function that removes the handlers.
 */
export function registerIpc(engine: Engine, isTrustedUrl: (url: string) => boolean): () => void {
  for (const name of operationNames) {
    ipcMain.handle(channelOf(name), async (event, input: unknown): Promise<IpcResult> => {
      if (!isTrustedSender(event.senderFrame, isTrustedUrl)) {
        log.warn('ipc.refused', { op: name, url: event.senderFrame?.url });
        return { ok: false, error: { code: 'BAD_INPUT', message: 'caller not allowed' } };
      }
      try {
        return { ok: true, value: await engine.call(name, input) };
      } catch (error) {
        return { ok: false, error: toAppError(error).toWire() };
      }
    });
  }
  return () => {
    for (const name of operationNames) ipcMain.removeHandler(channelOf(name));
  };
}

function isTrustedSender(frame: WebFrameMain | null, isTrustedUrl: (url: string) => boolean) {
  return frame !== null && frame.parent === null && isTrustedUrl(frame.url);
}
