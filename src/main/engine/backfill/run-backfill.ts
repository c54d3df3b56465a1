import type {
  BackfillCursor, CallContext, OutputOf, ParsedInputOf, ProgressOf,
} from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { enrolmentBatches } from '../features/enrolment-batches';
import { log } from '../log';
import type { LoadedModel, ModelRegistry } from '../models/registry';
import type { LearningStore } from '../store/store';
import { openSink } from './open-sink';
import type { RunClaim, ScoreSink } from './score-sink';
import { planBackfill } from './plan';
import { runScope, type RunKey } from './run-key';
import { scoreBatch } from './score-batch';

/**
 * 1,000 enrolments × 70 days = 70,000 rows per read, ONNX run and commit: measured on the
 * 50k bench, 500 gave ~180k and 1,000 ~200k scores/s into Postgres, for ~25 MB more memory
 * (bench/backfill/README.md); cancelling still takes effect within half a second.
 */
export const DEFAULT_BATCH_SIZE = 1000;

/**
 * The backfill job: plan the enrolments (resuming an unfinished run of the same model, profile
 * and scope), then per batch one read, features for every day in one pass, one ONNX run and
 * one commit that also moves the run's cursor. The signal is checked before each step of a
 * batch, so a cancel takes effect within one batch and never leaves a batch half written.
 */
export async function runBackfill(
  store: LearningStore,
  models: ModelRegistry,
  input: ParsedInputOf<'backfill'>,
  ctx: CallContext<ProgressOf<'backfill'>> = {},
): Promise<OutputOf<'backfill'>> {
  const started = performance.now();
  const model = await models.get(input.model);
  const sink = openSink(store);
  await sink.prepare();

  const key: RunKey = { model: input.model, profile: store.tables.profile, scope: runScope(input) };
  const claim = await sink.claimRun(key, ctx.signal);
  try {
    return await runClaimed({ store, model, sink, claim, key, input, ctx, started });
  } finally {
    await claim.release();
  }
}

/** A run this process has claimed, and what it needs. */
interface ClaimedRun {
  store: LearningStore;
  model: LoadedModel;
  sink: ScoreSink;
  claim: RunClaim;
  key: RunKey;
  input: ParsedInputOf<'backfill'>;
  ctx: CallContext<ProgressOf<'backfill'>>;
  /** performance.now() when the call began, for the reported duration. */
  started: number;
}

async function runClaimed(
  { store, model, sink, claim, key, input, ctx, started }: ClaimedRun,
): Promise<OutputOf<'backfill'>> {
  const previous = input.restart ? undefined : await sink.readRun(key);
  const cursor = previous?.status === 'running' ? previous.cursor : null;
  const plan = await planBackfill(store, input, cursor);
  // A call cancelled before it started (while queued behind another job, say) must leave the
  // run's record alone: starting it would reset a finished run to "running, nothing done".
  if (ctx.signal?.aborted) {
    throw new AppError('CANCELLED', 'backfill cancelled before it started', { ...key });
  }
  if (!plan.resumed) await sink.startRun(key, plan.total);
  const resumedFrom = plan.resumed ? cursor! : undefined;

  // Committed progress: what the store holds, what a cancel reports.
  let position: BackfillCursor | undefined = resumedFrom;
  let done = plan.done;
  let rowsDone = plan.resumed ? previous!.rowsDone : 0;
  let rows = 0;
  let enrolments = 0;
  // Scheduled progress: where the next write's cursor will point once it commits.
  let next = { done, rowsDone };
  const report = () => ctx.onProgress?.({ enrolmentsDone: done, enrolmentsTotal: plan.total,
    rows: rowsDone });

  // One write may be in flight while the next batch is read and scored: Postgres ingests a
  // batch while Node computes the following one. Writes stay strictly one after the other.
  let inflight: Promise<void> | undefined;
  const settle = async () => {
    const pending = inflight;
    inflight = undefined;
    await pending;
  };
  const stopIfCancelled = async () => {
    if (!ctx.signal?.aborted) return;
    await settle();
    throw new AppError('CANCELLED', position
      ? `backfill cancelled after ${done} of ${plan.total} enrolments (last committed: student `
        + `${position.student} in ${position.presentation}); run it again to resume`
      : 'backfill cancelled before its first batch was committed',
    { stoppedAt: position ?? null, enrolmentsDone: done, enrolmentsTotal: plan.total, rows });
  };
  log.info('backfill.start', { ...key, table: sink.table, enrolments: plan.total,
    resumedAt: done });
  report();

  try {
    for (const segment of plan.segments) {
      const p = segment.presentation;
      await sink.enterPresentation(model.manifest.name, p.presentation);
      const batches = enrolmentBatches(store, {
        presentations: [p.presentation], students: segment.students,
        upToDay: segment.days[segment.days.length - 1]!,
        batchSize: input.batchSize ?? DEFAULT_BATCH_SIZE,
      });
      for (let readStart = performance.now(); ; readStart = performance.now()) {
        await stopIfCancelled();
        const item = await batches.next();
        if (item.done) break;
        const batch = item.value;
        const readMs = performance.now() - readStart;
        await stopIfCancelled();

        const scored = await scoreBatch(model, batch, segment.days);
        await stopIfCancelled();

        const students = batch.map((d) => d.enrolment.student);
        const count = scored.values.length;
        const after = {
          presentation: p.presentation, student: students[students.length - 1]!,
          enrolmentsDone: next.done + batch.length, rowsDone: next.rowsDone + count,
        };
        await settle();
        // The previous write may have committed the batch at which the caller cancelled.
        await stopIfCancelled();
        claim.check();
        next = { done: after.enrolmentsDone, rowsDone: after.rowsDone };
        const writeStart = performance.now();
        const write = sink.writeBatch(key, {
          model: model.manifest.name, metric: model.manifest.metric,
          presentation: p.presentation, startDate: p.startDate, students, days: segment.days,
          values: scored.values, createdAt: new Date().toISOString(),
          sqlMsPerRow: readMs / count, modelMsPerRow: scored.modelMs / count,
        }, after).then(() => {
          log.debug('backfill.batch', { presentation: p.presentation, enrolments: batch.length,
            rows: count, readMs, featureMs: scored.featureMs, modelMs: scored.modelMs,
            writeMs: performance.now() - writeStart });
          position = { presentation: after.presentation, student: after.student,
            enrolmentsDone: after.enrolmentsDone };
          done = after.enrolmentsDone;
          rowsDone = after.rowsDone;
          rows += count;
          enrolments += batch.length;
          report();
        });
        // Marked as handled now; the error still surfaces at the next settle().
        write.catch(() => undefined);
        inflight = write;
      }
    }
    await settle();
  } finally {
    // A failure while the next batch was being scored must not abandon a write in flight.
    await inflight?.catch(() => undefined);
  }
  await sink.finishRun(key);

  const durationMs = performance.now() - started;
  log.info('backfill.done', { ...key, rows, enrolments, durationMs: Math.round(durationMs) });
  return {
    rows, enrolments, durationMs, table: sink.table,
    scoresPerSecond: durationMs > 0 ? Math.round(rows / (durationMs / 1000)) : 0,
    ...(resumedFrom ? { resumedFrom } : {}),
    ...(plan.endingEarly.length ? { endingEarly: plan.endingEarly } : {}),
  };
}
