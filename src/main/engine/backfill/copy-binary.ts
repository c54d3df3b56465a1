import { parseDate } from '../scoring/as-of-day';
import type { ScoreBatch } from './score-sink';

/** Milliseconds from the Unix epoch to Postgres' epoch, 2000-01-01 00:00 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const MS_PER_DAY = 86_400_000;
const HEADER = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
const TRAILER = Buffer.from([0xff, 0xff]);

/**
 * A batch's rows in Postgres' binary COPY format, in MODEL_STATS_COLUMNS order. This is the
 * hot path (tens of thousands of rows per batch). Binary beats text twice here: Node writes
 * fixed-width numbers instead of formatting them, and the server skips parsing floats and
 * timestamps (measured: about 12% faster ingest, a third less building time). Every row of a
 * batch shares most of its bytes, so the days.length rows of one enrolment are laid out once
 * as a template; each enrolment is then one copy of the template plus two numbers per row.
 *
 * Types must match the table exactly: TIMESTAMP as int64 microseconds since 2000-01-01,
 * INTEGER int32, REAL float4, VARCHAR/TEXT UTF-8 bytes, all big-endian.
 */
export function modelStatsCopyBinary(batch: ScoreBatch): Buffer[] {
  const created = BigInt(Date.parse(batch.createdAt) - PG_EPOCH_MS) * 1000n;
  const metric = Buffer.from(batch.metric, 'utf8');
  const model = Buffer.from(batch.model, 'utf8');
  const presentation = Buffer.from(batch.presentation, 'utf8');
  const start = parseDate(batch.startDate);

  const rowBytes = 2 + 10 * 4 + 8 + metric.length + model.length + 5 * 4 + presentation.length + 8;
  const perEnrolment = batch.days.length;
  const template = Buffer.alloc(rowBytes * perEnrolment);
  const studentAt: number[] = [];
  const valueAt: number[] = [];
  let o = 0;
  for (const day of batch.days) {
    o = template.writeInt16BE(10, o);
    o = template.writeInt32BE(8, o);
    o = template.writeBigInt64BE(created, o);
    o = template.writeInt32BE(metric.length, o);
    o += metric.copy(template, o);
    o = template.writeInt32BE(model.length, o);
    o += model.copy(template, o);
    o = template.writeInt32BE(4, o);
    studentAt.push(o);
    o += 4;
    o = template.writeInt32BE(4, o);
    valueAt.push(o);
    o += 4;
    o = template.writeInt32BE(4, o);
    o = template.writeInt32BE(day, o);
    o = template.writeInt32BE(4, o);
    o = template.writeFloatBE(batch.sqlMsPerRow, o);
    o = template.writeInt32BE(4, o);
    o = template.writeFloatBE(batch.modelMsPerRow, o);
    o = template.writeInt32BE(presentation.length, o);
    o += presentation.copy(template, o);
    o = template.writeInt32BE(8, o);
    o = template.writeBigInt64BE(BigInt(start + day * MS_PER_DAY - PG_EPOCH_MS) * 1000n, o);
  }

  const body = Buffer.allocUnsafe(template.length * batch.students.length);
  for (let s = 0; s < batch.students.length; s++) {
    const base = s * template.length;
    template.copy(body, base);
    const student = batch.students[s]!;
    for (let k = 0; k < perEnrolment; k++) {
      body.writeInt32BE(student, base + studentAt[k]!);
      body.writeFloatBE(batch.values[s * perEnrolment + k]!, base + valueAt[k]!);
    }
  }
  return [HEADER, body, TRAILER];
}
