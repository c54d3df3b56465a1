import type { Command } from 'commander';
import type { OperationName, OutputOf } from '../../shared/contract';
import { resolveConfig } from '../engine/config';
import { Engine } from '../engine/engine';

/** What every command gets: the global options and one lazily created engine. */
export interface CliContext {
  engine(): Engine;
  json(): boolean;
  call<K extends OperationName>(
    name: K, input: unknown, opts?: { signal?: AbortSignal; onProgress?: (e: never) => void },
  ): Promise<OutputOf<K>>;
  print(text: string): void;
  printJson(value: unknown): void;
  /** Closes the engine's stores, if a command opened them. */
  close(): Promise<void>;
}

export function createContext(program: Command): CliContext {
  let engine: Engine | undefined;
  const ctx: CliContext = {
    engine() {
      if (!engine) {
        const o = program.opts<{ db?: string; models?: string; pg?: string }>();
        engine = new Engine(resolveConfig({ db: o.db, models: o.models, pg: o.pg }));
      }
      return engine;
    },
    json: () => Boolean(program.opts<{ json?: boolean }>().json),
    call: (name, input, opts = {}) =>
      ctx.engine().call(name, input, opts as Parameters<Engine['call']>[2]),
    print: (text) => process.stdout.write(`${text}\n`),
    printJson: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    close: async () => engine?.close(),
  };
  return ctx;
}
