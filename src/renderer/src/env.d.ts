import type { Client } from '../../shared/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser, where HTTP is used instead. */
    api?: Client;
  }
}
