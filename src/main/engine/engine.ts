import fs from 'node:fs';
import {
  operations, type CallContext, type Handlers, type OperationName, type OutputOf,
} from '../../shared/contract';
import { AppError, toAppError } from '../../shared/errors';
import type { EngineConfig } from './config';
import { exportFeatures } from './features/export';
import { importOulad } from './import/oulad';
import { ModelRegistry } from './models/registry';
import { scoreStudent } from './scoring/score';
import { SqliteStore } from './store/sqlite-store';
import { requireData, requirePresentations, type LearningStore } from './store/store';
import { PgStore } from './store/pg-store';
import { profilesFile, resolveProfile } from './store/profiles';
import { runBackfill } from './backfill/run-backfill';
import { evaluateModel } from './models/evaluate';
import { dsStatsStoreFor, scanOperation, type ScanDeps } from './scan/handler';
import type { DsStatsStore } from './scan/ds-stats-store';
import { assertSafeOutput } from './output-file';
import { WriteLock } from './write-lock';
import { log } from './log';

/**
 * The one engine behind every host. `call` is the single entry point the CLI, the HTTP server
 * and the Electron IPC bridge use: it validates the raw input against the contract, runs the
 * operation and turns any failure into an AppError with a code.
 */
export class Engine {
  readonly models: ModelRegistry;
  private sqlite?: SqliteStore;

  constructor(readonly config: EngineConfig) {
    this.models = new ModelRegistry(config.modelsDir);
  }

  /** The local SQLite store, opened and migrated on first use. */
  async localStore(): Promise<SqliteStore> {
    if (!this.sqlite) {
      const store = new SqliteStore(this.config.dbPath);
      await store.migrate();
      this.sqlite = store;
    }
    return this.sqlite;
  }

  /**
   * The store of a target and profile, for a call that reads what an import put there (a
   * backfill too: it writes scores only next to imported data).
   */
  private async readStore(
    target: 'sqlite' | 'postgres' = 'sqlite',
    profile = 'default',
  ): Promise<LearningStore> {
    this.requireLocalFile(target, 'import oulad <folder>');
    return this.store(target, profile);
  }

  /**
   * EMPTY_STORE naming the path when the SQLite file does not exist: opening it would create
   * the file, and its folders, wherever a mistyped --db points. `fills` is the command that
   * creates it.
   */
  private requireLocalFile(target: 'sqlite' | 'postgres', fills: string): void {
    const file = this.config.dbPath;
    if (target === 'sqlite' && !this.sqlite && file !== ':memory:' && !fs.existsSync(file)) {
      throw new AppError('EMPTY_STORE', `there is no SQLite store at ${file}: run \`edutech `
        + `${fills}\` to create it, or point --db (EDUTECH_DB) at an existing one`,
      { store: file });
    }
  }

  /**
   * The store of a target and profile. The profile is resolved (and its table names checked,
   * BAD_PROFILE) before any SQL runs; one Postgres pool serves every profile.
   */
  async store(
    target: 'sqlite' | 'postgres' = 'sqlite',
    profile = 'default',
  ): Promise<LearningStore> {
    const tables = resolveProfile(profile, profilesFile(this.config.dbPath));
    if (target === 'sqlite' && profile === 'default') return this.localStore();
    const key = `${target}:${profile}`;
    let store = this.profileStores.get(key);
    if (!store) {
      if (target === 'sqlite') {
        store = new SqliteStore(this.config.dbPath, tables);
      } else {
        this.pg ??= PgStore.connect(this.config.pgUrl);
        store = profile === 'default' ? this.pg : this.pg.withTables(tables);
      }
      this.profileStores.set(key, store);
    }
    return store;
  }

  /** How the scanner reaches the stores; Postgres is connected only when a scan targets it. */
  private readonly scanDeps: ScanDeps = {
    sqlite: () => this.localStore(),
    pg: () => {
      this.pg ??= PgStore.connect(this.config.pgUrl);
      return this.pg.pool;
    },
  };

  /** The ds_stats store of a target (the latest scan is what `metrics` exposes). */
  dsStats(target: 'sqlite' | 'postgres'): Promise<DsStatsStore> {
    // Only read from (metrics): a missing file is named, not created.
    this.requireLocalFile(target, 'scan <folder>');
    return dsStatsStoreFor(target, this.scanDeps);
  }

  private readonly profileStores = new Map<string, LearningStore>();
  /** Jobs that write to the local SQLite file run one at a time (see write-lock.ts). */
  private readonly sqliteWrites = new WriteLock();
  private pg?: PgStore;

  readonly handlers: Handlers = {
    findStudents: async (input) => {
      const store = await this.readStore(input.target);
      await requireData(store);
      // One row past the limit tells whether the list was cut short.
      const found = await store.findEnrolments(input.student,
        { prefix: input.prefix, limit: input.limit + 1 });
      const enrolments = [];
      for (const e of found.slice(0, input.limit)) {
        const p = (await store.presentation(e.presentation))!;
        enrolments.push({
          student: e.student, presentation: e.presentation, startDate: p.startDate,
          lengthDays: p.lengthDays, registrationDay: e.registrationDay,
          unregistrationDay: e.unregistrationDay, finalResult: e.finalResult,
          hasActivity: p.hasActivity,
        });
      }
      return { enrolments, more: found.length > input.limit };
    },

    listModels: async () => {
      // verify() reads the folder and loads each model, which is what fills `broken`.
      await this.models.verify();
      const models = this.models.list().map((m) => ({
        name: m.name, metric: m.metric, kind: m.kind, description: m.description,
        features: m.features, trainedOn: m.trainedOn, evaluatedOn: m.evaluatedOn,
        evaluation: m.evaluation, card: m.card,
      }));
      const broken = [...this.models.broken].map(([name, reason]) => ({ name, reason }));
      return { models, broken };
    },

    importData: async (input, ctx) => {
      if (input.target === 'postgres') {
        // COPY runs on a client of its own inside one transaction: other calls see only
        // committed data.
        return importOulad(await this.store('postgres', input.profile), input.folder, ctx);
      }
      // SQLite: a connection of its own for the import's long transaction, so calls served
      // meanwhile (a score, a scan) read the last committed data and never write into it; a
      // second import at the same time waits for the lock, then fails as STORE_FAILED.
      const tables = resolveProfile(input.profile, profilesFile(this.config.dbPath));
      return this.sqliteWrites.run(async () => {
        const importer = new SqliteStore(this.config.dbPath, tables);
        try {
          return await importOulad(importer, input.folder, ctx);
        } finally {
          // The other open stores see the commit through SQLite's data_version.
          await importer.close();
        }
      });
    },

    backfill: async (input, ctx) => {
      await this.models.get(input.model); // a model that cannot run fails before the store
      const run = async () =>
        runBackfill(await this.readStore(input.target, input.profile), this.models, input, ctx);
      return input.target === 'sqlite' ? this.sqliteWrites.run(run) : run();
    },

    scan: async (input, ctx) => input.target === 'sqlite'
      ? this.sqliteWrites.run(() => scanOperation(input, ctx, this.scanDeps))
      : scanOperation(input, ctx, this.scanDeps),

    // The model is looked up before the store is opened: an unknown or broken model is the
    // answer to give, even where nothing has been imported yet.
    evaluateModel: async (input, ctx) => {
      await this.models.get(input.model);
      return evaluateModel(await this.readStore(), this.models, input, ctx.signal);
    },

    score: async (input) => {
      await this.models.get(input.model);
      return scoreStudent(await this.readStore(input.target), this.models, input);
    },

    exportFeatures: async (input, ctx) => {
      assertSafeOutput(input.out, this.config.dbPath, 'feature export');
      const store = await this.readStore();
      await requireData(store);
      await requirePresentations(store, input.presentations);
      return exportFeatures(store, input.out, { ...input, signal: ctx.signal });
    },
  };

  /** Checks a raw input against the operation's schema; BAD_INPUT says what is wrong. */
  validate<K extends OperationName>(name: K, rawInput: unknown): unknown {
    const op = operations[name];
    if (!op) throw new AppError('BAD_INPUT', `unknown operation "${String(name)}"`);
    const parsed = op.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String),
        message: i.message }));
      throw new AppError('BAD_INPUT', `invalid input for ${name}: `
        + issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
      { operation: name, issues });
    }
    return parsed.data;
  }

  /** Validates and runs one operation; every failure comes out as an AppError. */
  async call<K extends OperationName>(
    name: K,
    rawInput: unknown,
    ctx: CallContext = {},
  ): Promise<OutputOf<K>> {
    const input = this.validate(name, rawInput);
    const started = performance.now();
    try {
      const handler = this.handlers[name] as (i: unknown, c: CallContext) => Promise<OutputOf<K>>;
      const result = await handler(input, ctx);
      log.info('op.done', { op: name, durationMs: Math.round(performance.now() - started) });
      return result;
    } catch (error) {
      const appError = toAppError(error);
      log.info('op.failed', { op: name, code: appError.code,
        durationMs: Math.round(performance.now() - started) });
      throw appError;
    }
  }

  async close(): Promise<void> {
    await this.sqlite?.close();
    this.sqlite = undefined;
    // Profile stores on Postgres share this.pg's pool: close the owner once, after the others.
    for (const store of this.profileStores.values()) if (store !== this.pg) await store.close();
    this.profileStores.clear();
    await this.pg?.close();
    this.pg = undefined;
  }
}
