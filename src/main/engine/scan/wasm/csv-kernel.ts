import { log } from '../../log';
import { CSV_KERNEL_WASM } from './csv-kernel-bytes';

/**
 * The WebAssembly SIMD kernel of the CSV record counter (csv_kernel.c beside this file; how it
 * works is in docs/scanner.md). It counts ASCII-compatible bytes only; csv-count.ts keeps its
 * JavaScript path for UTF-16 and for runtimes without WebAssembly SIMD.
 */

/** Kernel state bits, carried between chunks (same meaning as in csv_kernel.c). */
export const KERNEL_IN_QUOTE = 1;
export const KERNEL_AFTER_EOL = 2;
export const KERNEL_MAY_OPEN = 4;
/** The state before the first byte: a line break there is blank, a quote there opens. */
export const KERNEL_START = KERNEL_AFTER_EOL | KERNEL_MAY_OPEN;

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  input_ptr(): number;
  input_bytes(): number;
  csv_count(n: number, state: number, delimiter: number): number;
  state_out(): number;
}

/** The kernel instance: its input area and the count call. */
export class CsvKernel {
  /** Where the bytes to count go: a view of the kernel's memory (which never grows). */
  readonly input: Buffer;
  /** The state after the last count, to pass to the next one. */
  state = KERNEL_START;

  constructor(private readonly exports: KernelExports) {
    this.input = Buffer.from(exports.memory.buffer, exports.input_ptr(), exports.input_bytes());
  }

  /**
   * Counts the records that end in `input[0..length)`, going on from `state`; the state after
   * them is then in `this.state`. The kernel pads its last block in place, so up to 63 bytes
   * of `input` past `length` are overwritten.
   */
  count(length: number, state: number, delimiter: number): number {
    const records = this.exports.csv_count(length, state, delimiter);
    this.state = this.exports.state_out();
    return records;
  }

  /** Counts `bytes`: in place if they are at the start of `input`, else copied in, piece by
   * piece. The state after them is then in `this.state`. */
  countBytes(bytes: Uint8Array, state: number, delimiter: number): number {
    const input = this.input;
    const inPlace = bytes.buffer === input.buffer && bytes.byteOffset === input.byteOffset;
    if (inPlace && bytes.length <= input.length) {
      return this.count(bytes.length, state, delimiter); // read straight into the kernel
    }
    let records = 0;
    this.state = state;
    for (let at = 0; at < bytes.length; at += input.length) {
      const piece = bytes.subarray(at, at + input.length);
      input.set(piece);
      records += this.count(piece.length, this.state, delimiter);
    }
    return records;
  }
}

/** The part of the WebAssembly API used here (the DOM lib that declares it is not loaded). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

let loaded: CsvKernel | null | undefined;

/**
 * The kernel, compiled and instantiated once per process (about 0.5 ms), or undefined when
 * this runtime cannot run it (no WebAssembly, or no SIMD): then the JavaScript path counts.
 * One instance is enough: every call on it is synchronous, so counters never interleave
 * inside it, and no state is kept in it between calls.
 */
export function csvKernel(): CsvKernel | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  try {
    // `node --jitless` has no WebAssembly at all; without SIMD, Module throws a CompileError.
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) throw new Error('this runtime has no WebAssembly');
    const bytes = Buffer.from(CSV_KERNEL_WASM, 'base64');
    const instance = new wasm.Instance(new wasm.Module(bytes), {});
    loaded = new CsvKernel(instance.exports as unknown as KernelExports);
  } catch (error) {
    log.warn('csv.kernel.unavailable', { reason: (error as Error).message });
    loaded = null;
  }
  return loaded ?? undefined;
}
