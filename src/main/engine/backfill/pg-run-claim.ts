import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { AppError } from '../../../shared/errors';
import { storeFailed, type PgStore } from '../store/pg-store';
import type { RunKey } from './run-key';
import type { RunClaim } from './score-sink';

/**
 * Connections this process holds for runs, per pool: past the cap a new run is BUSY rather
 * than taking more of the server's connection slots (which Grafana shares).
 */
const MAX_RUNS_PER_PROCESS = 8;
const running = new WeakMap<object, number>();
/** How long to wait between tries for another run's turn on the same presentation. */
const RETRY_MS = 25;

/**
 * An advisory lock id: 64 bits of a SHA-256 of the parts, so two different keys practically
 * never share one (a 32-bit hashtext would, among OULAD's student ids). The first part keeps
 * them apart from other applications' locks on the same server.
 */
export function lockId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest().readBigInt64BE(0).toString();
}

/**
 * A backfill run claimed in Postgres: a session advisory lock on a connection of its own,
 * held for the run (not one of the pool's, which the run's queries need). Postgres drops the
 * lock with the connection, so a killed process never leaves a run locked; if the connection
 * is lost while the run goes on, the lock may pass to another process, so the run stops
 * before its next write. The same connection waits, in cancellable tries, for the run's turn
 * on each presentation it writes: waiting there keeps the pool free for everyone else.
 */
export class PgRunClaim implements RunClaim {
  private lost?: Error;
  private client?: Client;

  private constructor(
    private readonly store: PgStore,
    private readonly key: RunKey,
    private readonly signal?: AbortSignal,
  ) {}

  /** Claims the run, or fails with BUSY when another connection (or the cap) stands in the way. */
  static async claim(store: PgStore, key: RunKey, signal?: AbortSignal): Promise<PgRunClaim> {
    const held = running.get(store.pool) ?? 0;
    if (held >= MAX_RUNS_PER_PROCESS) {
      throw new AppError('BUSY', `${held} backfills are already running into Postgres from this `
        + 'process; start this one when one of them has ended', { ...key });
    }
    const claim = new PgRunClaim(store, key, signal);
    running.set(store.pool, held + 1);
    try {
      claim.client = await store.connectOwn((error) => {
        claim.lost = error;
      });
      if (!(await claim.tryLock(claim.runLock()))) {
        throw new AppError('BUSY', `a backfill of ${key.model} (profile ${key.profile}, scope `
          + `${key.scope}) is already running into this database; its progress is in `
          + 'backfill_runs, and this command resumes it once it has stopped', { ...key });
      }
    } catch (error) {
      await claim.release();
      throw storeFailed(error, 'run lock');
    }
    return claim;
  }

  check(): void {
    if (!this.lost) return;
    throw new AppError('STORE_FAILED', `the connection holding the run's lock was lost `
      + `(${this.lost.message}); every batch written so far is committed, and running the `
      + 'same backfill again resumes after the last one', { ...this.key });
  }

  /** Waits, in cancellable tries, until no other run holds `lock`, then holds it. */
  async takeTurn(lock: string): Promise<void> {
    while (!(await this.tryLock(lock))) {
      if (this.signal?.aborted) {
        throw new AppError('CANCELLED', 'backfill cancelled while waiting for another run '
          + 'writing the same presentation', { ...this.key });
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  /** Lets the next run waiting for `lock` go on (release() ends every turn anyway). */
  async endTurn(lock: string): Promise<void> {
    if (this.client && !this.lost) await this.unlockOn(this.client, lock);
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      if (!this.lost) await this.unlockOn(client, this.runLock());
      await client.end().catch(() => undefined);
    }
    running.set(this.store.pool, Math.max(0, (running.get(this.store.pool) ?? 1) - 1));
  }

  private runLock(): string {
    return lockId('edutech.backfill', this.key.model, this.key.profile, this.key.scope);
  }

  private async tryLock(lock: string): Promise<boolean> {
    this.check();
    const { rows } = await this.client!.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS ok', [lock]);
    return rows[0]!.ok;
  }

  private async unlockOn(client: Client, lock: string): Promise<void> {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [lock]).catch(() => undefined);
  }
}
