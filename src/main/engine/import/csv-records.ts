import { parse } from 'csv-parse';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';

/** One data record of a source CSV, by column name, with the line it started on. */
export interface SourceRecord {
  line: number;
  get(column: string): string;
}

/** A record's fields, with the line it starts on. */
type NumberedRecord = string[] & { line: number };

/**
 * Streams the records of a quoted CSV file (any line ending, optional BOM) after checking that
 * its header holds the expected columns. Every record must have as many fields as the header;
 * a record that does not, or that the parser cannot read, fails with the file and line.
 */
export async function* readRecords(
  file: string,
  expected: readonly string[],
  signal?: AbortSignal,
): AsyncGenerator<SourceRecord> {
  const name = path.basename(file);
  assertRegularFile(file, name);
  assertNotWideText(file, name);
  const source = fs.createReadStream(file);
  const lines = new LineNumbers();
  const shape = new RecordShape(file, name, expected);
  const parser = source.pipe(parse({
    bom: true, relax_column_count: true, skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
    // Any line ending, mixed within a file too (a file appended to on another system): left
    // to itself the parser takes the first line's ending and fails on the first other one.
    // Its line count then needs correcting (LineNumbers, below).
    record_delimiter: ['\r\n', '\n', '\r'],
    // Called as each record is parsed, in file order. A parse error further on overtakes the
    // records still buffered for the loop below, so the checks happen here: the first fault
    // in the file is the one reported, and the line correction is current when an error comes.
    // The header stops here (null drops a record); data records go on with their line.
    on_record: (fields, context) => {
      const line = lines.start(fields, context.lines, context.empty_lines);
      return shape.check(fields, line) === 'header' ? null : Object.assign(fields, { line });
    },
  }));
  // A read error (EACCES, EIO) must end the parse with an error, not crash the process.
  source.on('error', (error) => parser.destroy(error));
  try {
    for await (const record of parser as AsyncIterable<NumberedRecord>) {
      if (signal?.aborted) {
        throw new AppError('CANCELLED', 'import cancelled: the store is left as it was');
      }
      yield { line: record.line, get: (column) => record[shape.index(column)]! };
    }
    if (!shape.sawHeader) {
      throw new AppError('IMPORT_FAILED', `${name}: the file is empty (no header line)`, { file });
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const e = error as { message?: string; code?: string; empty_lines?: number };
    const line = e.empty_lines === undefined ? undefined : lines.next(e.empty_lines);
    const where = line === undefined ? name : `${name}, line ${line}`;
    // The parser's own "at line N" is its uncorrected count: the prefix says where.
    const message = PARSER_MESSAGES[e.code ?? '']
      ?? (e.message ?? String(error)).replace(/ (at|on) line \d+/, '');
    throw new AppError('IMPORT_FAILED', `${where}: ${printable(message)}`,
      { file, line: line ?? null, parser: e.code ?? null });
  } finally {
    parser.destroy();
  }
}

/**
 * The header's checks (expected columns, none twice) on the first record, and on every other:
 * as many fields as the header, and text a store can keep. Throws IMPORT_FAILED naming the
 * file, line and column.
 */
class RecordShape {
  private columns: Map<string, number> | undefined;
  private header: string[] = [];

  constructor(
    private readonly file: string,
    private readonly name: string,
    private readonly expected: readonly string[],
  ) {}

  get sawHeader(): boolean {
    return this.columns !== undefined;
  }

  /** Checks one record; says whether it was the header. */
  check(fields: readonly string[], line: number): 'header' | 'data' {
    const { file, name } = this;
    if (!this.columns) {
      this.header = fields.map((c) => c.trim());
      const twice = [...new Set(this.header.filter((c, i, all) => c !== ''
        && all.indexOf(c) !== i))];
      if (twice.length) {
        // Which copy would be read is arbitrary: the last one silently won before.
        throw new AppError('IMPORT_FAILED', `${name}, line ${line}: column(s) `
          + `${twice.join(', ')} appear more than once in the header`,
        { file, line, duplicated: twice });
      }
      const columns = new Map(this.header.map((c, i) => [c, i]));
      const missing = this.expected.filter((c) => !columns.has(c));
      if (missing.length) {
        throw new AppError('IMPORT_FAILED',
          `${name}, line ${line}: header lacks column(s) ${missing.join(', ')}`,
          { file, line, missing });
      }
      this.columns = columns;
      return 'header';
    }
    if (fields.length !== this.header.length) {
      throw new AppError('IMPORT_FAILED', `${name}, line ${line}: ${fields.length} fields where `
        + `the header has ${this.header.length}`, { file, line });
    }
    const bad = fields.findIndex((field) => NOT_TEXT.test(field));
    if (bad >= 0) throw notText(name, file, line, this.header[bad]!, fields[bad]!);
    return 'data';
  }

  /** A column's position; only expected columns are asked for, and the header has them all. */
  index(column: string): number {
    return this.columns!.get(column)!;
  }
}

/**
 * The line a record starts on, as an editor numbers lines (CR LF, LF and CR each end one).
 * csv-parse's `info.lines` is the line a record ends on, and with CR and LF both listed as
 * delimiters it counts a CR LF inside a quoted field as two line breaks, so every later number
 * ran one ahead per such field. Outside quotes a line break ends the record, so the breaks a
 * record spans are exactly those in its fields, and both are counted back from them.
 */
class LineNumbers {
  /** CR LF pairs inside the fields read so far: csv-parse counted each as two lines. */
  private doubled = 0;
  /** The line the last record ended on, and the empty lines the parser had skipped by then. */
  private lastEnd = 0;
  private emptyBefore = 0;

  start(record: readonly string[], endLine: number, emptyLines: number): number {
    let spanned = 0;
    for (const field of record) {
      if (!LINE_BREAK.test(field)) continue;
      spanned += field.match(LINE_BREAKS)!.length;
      this.doubled += field.split('\r\n').length - 1;
    }
    this.lastEnd = endLine - this.doubled;
    this.emptyBefore = emptyLines;
    return this.lastEnd - spanned;
  }

  /**
   * Where the record the parser failed in starts: the line after the last record read and the
   * empty lines skipped since. Where the parser noticed the fault says less: an unclosed quote
   * is noticed at the end of the file, or 1 MiB later, with its line count off by one for
   * every CR LF it swallowed.
   */
  next(emptyLines: number): number {
    return this.lastEnd + 1 + (emptyLines - this.emptyBefore);
  }
}

/** The parser's faults that its own words leave a user to decode. */
const PARSER_MESSAGES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote opened in the record that starts on this line is never closed',
  CSV_MAX_RECORD_SIZE: 'the record that starts on this line runs past 1 MiB: a quote opened in '
    + 'it is probably never closed',
};

const LINE_BREAK = /[\r\n]/;
const LINE_BREAKS = /\r\n|\r|\n/g;

/**
 * Text the stores cannot keep as it was: U+FFFD is what the UTF-8 decoder leaves for bytes that
 * are not UTF-8 (a file saved as Latin-1: `R\xe9gion`), and Postgres refuses NUL in text. Either
 * would be stored altered, or fail the import at COPY time without a line, so the row is refused
 * here. A file that holds U+FFFD as a character (EF BF BD) is refused too: the two cannot be told
 * apart after decoding, and such a character in these tables is itself left by a lossy conversion.
 */
const NOT_TEXT = /[\u0000\uFFFD]/;

function notText(name: string, file: string, line: number, column: string, field: string) {
  const what = field.includes('\u0000') ? 'a NUL byte'
    : 'bytes that are not UTF-8 (save the file as UTF-8)';
  return new AppError('IMPORT_FAILED', `${name}, line ${line}: ${column} holds ${what}`,
    { file, line, column });
}

/** A longer record is not a CSV row of these tables: likely a binary or runaway file. */
const MAX_RECORD_BYTES = 1 << 20;

/**
 * Only regular files are read: a folder named like a table, a FIFO or a device (a link to
 * /dev/zero) would otherwise crash the read or wait forever.
 */
export function assertRegularFile(file: string, name: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    let link = false;
    try {
      link = fs.lstatSync(file).isSymbolicLink();
    } catch {
      // not there at all, or its folder cannot be read: "not found" says enough
    }
    throw new AppError('IMPORT_FAILED', link
      ? `${name}: a link to ${fs.readlinkSync(file)}, which cannot be read`
      : `${name}: file not found in the import folder ${path.dirname(file)}`, { file });
  }
  if (!stat.isFile()) {
    throw new AppError('IMPORT_FAILED', `${name}: not a regular file`, { file });
  }
  return stat;
}

/**
 * UTF-16 text (saved by Excel or PowerShell) has a NUL byte beside every ASCII character, and
 * the parser fails on the first quote with a message about "\u0000". With its byte-order mark
 * the parser reads UTF-16 LE itself; any other file whose first 4 KiB are a quarter NUL bytes
 * is named for what it most likely is.
 */
function assertNotWideText(file: string, name: string): void {
  const head = Buffer.alloc(4096);
  const fd = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const bytes = head.subarray(0, read);
  // FF FE alone is UTF-16 LE's mark; followed by 00 00 it is UTF-32 LE's, which is not read.
  if (bytes[0] === 0xff && bytes[1] === 0xfe && !(bytes[2] === 0 && bytes[3] === 0)) return;
  // One NUL is a damaged row, named with its line later; a quarter of the bytes is an encoding.
  const nuls = bytes.reduce((n, b) => n + (b === 0 ? 1 : 0), 0);
  if (nuls > 0 && nuls >= read / 4) {
    throw new AppError('IMPORT_FAILED', `${name}: ${nuls} of its first ${read} bytes are NUL: `
      + 'it looks like UTF-16 or UTF-32 text, or a binary file; save it as UTF-8 CSV', { file });
  }
}

/** Parser messages can quote binary input: keep them short and printable. */
function printable(message: string): string {
  const clean = message.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}

/** Field converters that say which field of which line was wrong. */
/** The values a column may take; outside them a row is refused, naming file, line and column. */
export interface Range {
  min: number;
  max: number;
}

export function intField(rec: SourceRecord, column: string, file: string, range?: Range): number {
  const raw = rec.get(column).trim();
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new AppError('IMPORT_FAILED',
      `${path.basename(file)}, line ${rec.line}: ${column} "${raw}" is not an integer `
        + '(within ±2^53)',
      { file, line: rec.line, column });
  }
  return inRange(Number(raw), rec, column, file, range);
}

export function optionalIntField(
  rec: SourceRecord,
  column: string,
  file: string,
  range?: Range,
): number | null {
  return rec.get(column).trim() === '' ? null : intField(rec, column, file, range);
}

export function optionalNumberField(
  rec: SourceRecord,
  column: string,
  file: string,
  range?: Range,
): number | null {
  const raw = rec.get(column).trim();
  if (raw === '') return null;
  const value = Number(raw);
  // Decimal only: Number() would also read 0x64 as 100 and 0b1 as 1.
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) || !Number.isFinite(value)) {
    throw new AppError('IMPORT_FAILED',
      `${path.basename(file)}, line ${rec.line}: ${column} "${raw}" is not a number`,
      { file, line: rec.line, column });
  }
  return inRange(value, rec, column, file, range);
}

function inRange(
  value: number,
  rec: SourceRecord,
  column: string,
  file: string,
  range?: Range,
): number {
  if (range && (value < range.min || value > range.max)) {
    throw new AppError('IMPORT_FAILED', `${path.basename(file)}, line ${rec.line}: ${column} `
      + `${value} is outside ${range.min}..${range.max}`,
    { file, line: rec.line, column, value, ...range });
  }
  return value;
}

export function textField(rec: SourceRecord, column: string): string | null {
  const raw = rec.get(column);
  return raw === '' ? null : raw;
}

/**
 * A value from a closed list (exactly as written: case and spaces count, since the features and
 * labels compare them exactly), or empty unless `required`. "pass" or "Distinction " would
 * otherwise import and quietly count as a failure.
 */
export function categoryField(
  rec: SourceRecord,
  column: string,
  file: string,
  allowed: readonly string[],
  opts: { required?: boolean } = {},
): string | null {
  const value = textField(rec, column);
  if (value === null ? opts.required : !allowed.includes(value)) {
    throw new AppError('IMPORT_FAILED', `${path.basename(file)}, line ${rec.line}: ${column} `
      + `${value === null ? 'is empty; it must be' : `"${printable(value)}" is not`} one of `
      + allowed.map((a) => `"${a}"`).join(', '),
    { file, line: rec.line, column, allowed });
  }
  return value;
}
