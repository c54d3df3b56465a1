import type { Command } from 'commander';
import type { OperationName, OutputOf } from '../../shared/contract';
import { AppError } from '../../shared/errors';
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
  // The command being run, so that a schema error names that command's own options.
  let running: Command = program;
  program.hook('preAction', (_program, action) => {
    running = action;
  });
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
      ctx.engine().call(name, input, opts as Parameters<Engine['call']>[2])
        .catch((error: unknown) => {
          throw inOptionTerms(error, running);
        }),
    print: (text) => process.stdout.write(`${text}\n`),
    printJson: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    close: async () => engine?.close(),
  };
  return ctx;
}

/**
 * The contract names its fields as the API does (`toWeek`, `limit`); a CLI user typed
 * `--to-week`, `-n`. A BAD_INPUT from the schema is said again with the option that set each
 * field, where one did (positional arguments keep the field's name).
 */
function inOptionTerms(error: unknown, command: Command): unknown {
  if (!(error instanceof AppError) || error.code !== 'BAD_INPUT') return error;
  const issues = error.details.issues as { path: string[]; message: string }[] | undefined;
  if (!issues) return error;
  const flags = new Map<string, string>();
  for (let c: Command | null = command; c; c = c.parent) {
    for (const option of c.options) {
      if (option.long && !flags.has(option.attributeName())) {
        flags.set(option.attributeName(), option.long);
      }
    }
  }
  const said = issues.map((i) => {
    const field = i.path.length === 1 ? flags.get(i.path[0]!) : undefined;
    return `${field ?? (i.path.join('.') || 'input')}: ${i.message}`;
  });
  return new AppError('BAD_INPUT', `invalid input: ${said.join('; ')}`, error.details);
}
