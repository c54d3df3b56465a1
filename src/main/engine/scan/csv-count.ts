import { encodingOf, Utf16Narrower, type CsvEncoding } from './csv-encoding';
import {
  detectDelimiter, firstRecordFields, looksLikeHeader, type Delimiter,
} from './csv-sniff';
import {
  csvKernel, KERNEL_AFTER_EOL, KERNEL_IN_QUOTE, KERNEL_START, type CsvKernel,
} from './wasm/csv-kernel';

/**
 * The product's own CSV record counter: streaming, quote-aware, and exact against Python's
 * `csv.reader` (the reference the old grafana.py used and the corpus manifest is computed with).
 * It never builds a field or a record. ASCII-compatible bytes go through a WebAssembly SIMD
 * kernel (wasm/csv_kernel.c) that classifies 64 bytes at a time; UTF-16, and runtimes without
 * WebAssembly SIMD, take the JavaScript path below, which jumps between the only bytes that can
 * change its state (quote, CR, LF) with `Buffer.indexOf`. Both implement the rules in
 * docs/scanner.md, section "Counting CSV data rows", and are tested to agree.
 */


export interface CsvCount {
  /** Non-blank records minus the header record, if there is one. */
  dataRows: number;
  /** Non-blank records, header included. */
  records: number;
  header: boolean;
  delimiter: Delimiter;
  encoding: CsvEncoding;
  /** Which implementation counted: the SIMD kernel or the JavaScript path. */
  engine: CsvEngine;
}

export type CsvEngine = 'wasm' | 'js';

export interface CsvCountOptions {
  /** Skip detection and use this delimiter. */
  delimiter?: Delimiter;
  /** Skip detection: the first record is (true) or is not (false) a header. */
  header?: boolean;
  /** Bytes sampled before counting starts (default SAMPLE_BYTES); tests shrink it. */
  sampleBytes?: number;
  /** 'js' forces the JavaScript path (tests compare it with the kernel); default: the kernel
   * when it loads and the text is not UTF-16. */
  engine?: 'auto' | 'js';
}

/** Bytes looked at before deciding encoding, delimiter and header. */
export const SAMPLE_BYTES = 1 << 20;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
/** `last` before the first byte of content: a line break there ends no record. */
const START = -1;

const PLAIN = 0; // outside quotes
const QUOTED = 1; // inside a quoted field
const AFTER_QUOTE = 2; // inside quotes, chunk ended on a quote: closing or first of ""?

/** A quoted field is first searched byte by byte for this many bytes, then with indexOf. */
const SHORT_FIELD = 16;

interface ScanState {
  delimiter: number;
  state: number;
  last: number;
  records: number;
  /** Set when the kernel counts; `state` and `last` are then unused. */
  kernel?: CsvKernel;
  kernelState: number;
}

function find(buf: Buffer, byte: number, from: number): number {
  const at = buf.indexOf(byte, from);
  return at < 0 ? buf.length : at;
}

/**
 * Advances the state over one chunk. A record ends at a run of CR/LF bytes outside quotes that
 * follows a byte of content; a run that follows another line break (or the start) is a blank
 * record and is not counted, which covers CRLF, CR, LF and the `\r\r\n` of Windows Keras logs
 * in one rule. A quote opens a quoted field only when it starts a field (after a delimiter, a
 * line break or the start), as in Python; elsewhere it is an ordinary byte.
 */
function scanChunk(s: ScanState, buf: Buffer): void {
  const n = buf.length;
  const delim = s.delimiter;
  const lastOfPrevious = s.last;
  let state = s.state;
  let records = s.records;
  let i = 0;

  if (state === AFTER_QUOTE && n > 0) {
    if (buf[0] === QUOTE) {
      state = QUOTED;
      i = 1;
    } else {
      state = PLAIN;
    }
  }

  let nextLf = -1;
  let nextCr = -1;
  let nextQuote = -1;
  while (i < n) {
    if (state === QUOTED) {
      // Most quoted fields are short: a plain loop beats the native call's fixed cost there.
      const probeEnd = i + SHORT_FIELD < n ? i + SHORT_FIELD : n;
      let j = i;
      while (j < probeEnd && buf[j] !== QUOTE) j++;
      if (j === probeEnd) {
        if (j === n) break;
        j = buf.indexOf(QUOTE, j);
        if (j < 0) break;
      }
      if (j + 1 === n) {
        state = AFTER_QUOTE;
        break;
      }
      if (buf[j + 1] === QUOTE) {
        i = j + 2;
        continue;
      }
      state = PLAIN;
      i = j + 1;
      // `"a","b"`: the next field opens right away; skip the search for that quote.
      if (buf[i] === delim && buf[i + 1] === QUOTE) {
        state = QUOTED;
        i += 2;
      }
      continue;
    }

    // A cursor found earlier from a position before i is still the first one at or after i.
    if (nextLf < i) nextLf = find(buf, LF, i);
    if (nextCr < i) nextCr = find(buf, CR, i);
    if (nextQuote < i) nextQuote = find(buf, QUOTE, i);
    let at = nextLf < nextCr ? nextLf : nextCr;
    if (nextQuote < at) at = nextQuote;
    if (at === n) break;

    const before = at === 0 ? lastOfPrevious : buf[at - 1]!;
    if (at === nextQuote) {
      if (before === delim || before === LF || before === CR || before === START) state = QUOTED;
    } else if (before !== LF && before !== CR && before !== START) {
      records++;
    }
    i = at + 1;
  }

  s.state = state;
  s.records = records;
  if (n > 0) s.last = buf[n - 1]!;
}

/** The record an unterminated last line (or an unclosed quote) still makes, as in Python. */
function finalRecord(s: ScanState): number {
  if (s.kernel) {
    const k = s.kernelState;
    return k & KERNEL_IN_QUOTE || !(k & KERNEL_AFTER_EOL) ? 1 : 0;
  }
  if (s.state !== PLAIN) return 1;
  return s.last === START || s.last === LF || s.last === CR ? 0 : 1;
}

/**
 * Counts the data rows of a CSV fed in chunks of any size. Sampling keeps up to SAMPLE_BYTES
 * before anything is decided, so chunk boundaries never change the result.
 */
export class CsvRecordCounter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private scan?: ScanState;
  private encoding: CsvEncoding = 'ascii-compatible';
  private header = false;
  private narrower?: Utf16Narrower;

  constructor(private readonly options: CsvCountOptions = {}) {}

  /** Adds bytes; the chunk may be reused by the caller once this returns. */
  push(chunk: Uint8Array): void {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.scan) {
      this.count(buf);
      return;
    }
    // At least 4 bytes, whatever the sample size: a BOM must be seen whole.
    const sampleBytes = Math.max(4, this.options.sampleBytes ?? SAMPLE_BYTES);
    if (this.pendingBytes + buf.length < sampleBytes) {
      this.pending.push(Buffer.from(buf));
      this.pendingBytes += buf.length;
      return;
    }
    this.start(this.pending.length ? Buffer.concat([...this.pending, buf]) : buf, false);
  }

  finish(): CsvCount {
    if (!this.scan) this.start(Buffer.concat(this.pending), true);
    const s = this.scan!;
    const records = s.records + finalRecord(s);
    const header = records > 0 && this.header;
    return {
      dataRows: records - (header ? 1 : 0),
      records,
      header,
      delimiter: String.fromCharCode(s.delimiter) as Delimiter,
      encoding: this.encoding,
      engine: s.kernel ? 'wasm' : 'js',
    };
  }

  /**
   * Where a reader should put the next bytes: the kernel's own input area when it will count
   * them (no copy; the caller must push before reading again), else undefined.
   */
  inputArea(): Buffer | undefined {
    return this.options.engine === 'js' ? undefined : csvKernel()?.input;
  }

  private start(sample: Buffer, complete: boolean): void {
    this.pending = [];
    const { encoding, skip } = encodingOf(sample);
    this.encoding = encoding;
    if (encoding === 'utf-16le' || encoding === 'utf-16be') {
      this.narrower = new Utf16Narrower(encoding === 'utf-16le');
    }
    const raw = sample.subarray(skip);
    const content = this.narrower ? Buffer.from(this.narrower.narrow(raw)) : raw;

    const delimiter = this.options.delimiter ?? detectDelimiter(content, complete);
    if (this.options.header !== undefined) {
      this.header = this.options.header;
    } else {
      // A first record longer than the sample is not a numeric row of a headerless dump.
      const fields = firstRecordFields(content, delimiter, complete);
      this.header = fields === undefined || looksLikeHeader(fields);
    }
    const kernel = this.options.engine === 'js' || this.narrower ? undefined : csvKernel();
    this.scan = {
      delimiter: delimiter.charCodeAt(0), state: PLAIN, last: START, records: 0, kernel,
      kernelState: KERNEL_START,
    };
    this.countContent(content);
  }

  private count(buf: Buffer): void {
    this.countContent(this.narrower ? this.narrower.narrow(buf) : buf);
  }

  /** Counts bytes already narrowed (if UTF-16) and past the BOM. */
  private countContent(content: Buffer): void {
    const s = this.scan!;
    if (!s.kernel) return scanChunk(s, content);
    s.records += s.kernel.countBytes(content, s.kernelState, s.delimiter);
    s.kernelState = s.kernel.state;
  }
}

/** Counts a whole in-memory CSV (tests, small inputs). */
export function countCsvBytes(bytes: Uint8Array, options?: CsvCountOptions): CsvCount {
  const counter = new CsvRecordCounter(options);
  counter.push(bytes);
  return counter.finish();
}
