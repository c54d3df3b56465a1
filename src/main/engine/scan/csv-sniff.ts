/**
 * What the CSV counter decides from the first bytes of a file before it counts: the delimiter
 * and whether the first record is a header. Both look only at a bounded sample, so a file of any
 * size costs the same here. The rules are written out in docs/scanner.md; keep the two in step.
 */

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** How many leading records the delimiter vote looks at. */
const VOTE_RECORDS = 10;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const DELIMITER_BYTES = DELIMITERS.map((d) => d.charCodeAt(0));

/**
 * Counts each candidate delimiter outside quotes in the first non-blank records of the sample.
 * Quotes simply toggle here (no field-start rule) because the delimiter is not known yet; for a
 * well-formed file both readings agree, and a sniff only has to be right, not exact.
 */
function voteCounts(sample: Uint8Array, complete: boolean): number[][] {
  const records: number[][] = [];
  let counts = [0, 0, 0, 0];
  let inQuotes = false;
  let empty = true;
  for (let i = 0; i < sample.length && records.length < VOTE_RECORDS; i++) {
    const c = sample[i]!;
    if (c === QUOTE) {
      inQuotes = !inQuotes;
      empty = false;
    } else if (!inQuotes && (c === LF || c === CR)) {
      if (!empty) records.push(counts);
      counts = [0, 0, 0, 0];
      empty = true;
    } else {
      empty = false;
      if (!inQuotes) {
        const k = DELIMITER_BYTES.indexOf(c);
        if (k >= 0) counts[k]! += 1;
      }
    }
  }
  // A record cut off by the end of the sample would skew the vote; keep it only if it is the
  // file's real last record or the only evidence there is.
  if (!empty && records.length < VOTE_RECORDS && (complete || records.length === 0)) {
    records.push(counts);
  }
  return records;
}

/**
 * The delimiter whose count in the first record repeats in the most sampled records (ties: the
 * larger count in the first record, then the order , ; TAB |). Consistency beats frequency: a
 * comma file whose values are padded with tabs has more tabs than commas per line, but only the
 * commas come back in the same number on every line.
 */
export function detectDelimiter(sample: Uint8Array, complete: boolean): Delimiter {
  const records = voteCounts(sample, complete);
  const first = records[0];
  if (!first) return ',';
  let best = -1;
  let bestScore = 0;
  for (let k = 0; k < DELIMITERS.length; k++) {
    const count = first[k]!;
    if (count === 0) continue;
    const score = records.filter((r) => r[k] === count).length;
    if (best < 0 || score > bestScore || (score === bestScore && count > first[best]!)) {
      best = k;
      bestScore = score;
    }
  }
  return best < 0 ? ',' : DELIMITERS[best]!;
}

/**
 * The fields of the first non-blank record, read with the same quote rules as the counter (a
 * quote opens a field only at its start; "" inside quotes is one quote). Undefined when that
 * record does not end inside the sample and the sample is not the whole file.
 */
export function firstRecordFields(
  sample: Uint8Array,
  delimiter: Delimiter,
  complete: boolean,
): string[] | undefined {
  const delim = delimiter.charCodeAt(0);
  let i = 0;
  while (i < sample.length && (sample[i] === LF || sample[i] === CR)) i++;
  if (i === sample.length) return complete ? [] : undefined;

  const fields: string[] = [];
  let field: number[] = [];
  let quoted = false;
  let atFieldStart = true;
  for (; i < sample.length; i++) {
    const c = sample[i]!;
    if (quoted) {
      if (c !== QUOTE) {
        field.push(c);
      } else if (sample[i + 1] === QUOTE) {
        field.push(QUOTE);
        i++;
      } else if (i + 1 === sample.length && !complete) {
        return undefined;
      } else {
        quoted = false;
      }
      continue;
    }
    if (c === LF || c === CR) {
      fields.push(text(field));
      return fields;
    }
    if (c === delim) {
      fields.push(text(field));
      field = [];
      atFieldStart = true;
      continue;
    }
    if (c === QUOTE && atFieldStart) quoted = true;
    else field.push(c);
    atFieldStart = false;
  }
  if (!complete) return undefined;
  fields.push(text(field));
  return fields;
}

/** Field bytes as text; non-ASCII bytes only need to be "not a digit" for the header rule. */
function text(bytes: number[]): string {
  return Buffer.from(bytes).toString('latin1');
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Whether the first record is a header. It is not when every field is a number (a headerless
 * numeric dump such as mnist_test_10.csv), except for the column labels 0..n-1 or 1..n that
 * pandas writes for unnamed columns: those are numbers, but they are a header.
 */
export function looksLikeHeader(fields: readonly string[]): boolean {
  const values = fields.map((f) => f.trim());
  if (values.length === 0 || !values.every((v) => NUMBER.test(v))) return true;
  if (values.length < 2) return false;
  const base = Number(values[0]);
  const isIndexRow = (base === 0 || base === 1) && values.every((v, k) => v === String(base + k));
  return isIndexRow;
}
