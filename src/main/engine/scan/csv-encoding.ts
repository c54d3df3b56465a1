/**
 * What a CSV's first bytes say about its encoding, and UTF-16 narrowed to the one byte per
 * character the record counter (csv-count.ts) reads. A file without a BOM is taken as
 * ASCII-compatible (UTF-8, Latin-1, ...): quote, CR, LF and the delimiters are the same bytes
 * in all of them, which is all the counter looks at.
 */

export type CsvEncoding = 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'ascii-compatible';

/** The encoding a BOM announces, and how many bytes the BOM takes. */
export function encodingOf(head: Uint8Array): { encoding: CsvEncoding; skip: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { encoding: 'utf-8-bom', skip: 3 };
  }
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  return { encoding: 'ascii-compatible', skip: 0 };
}

/**
 * UTF-16 to one byte per code unit: ASCII units keep their value, every other unit becomes
 * 0x80. A non-ASCII unit can hold 0x22 or 0x0A in either byte (U+220A does), so the counter
 * must never see raw UTF-16 bytes; after narrowing it sees exactly the text's structure.
 */
export class Utf16Narrower {
  private carry = -1;
  private out = Buffer.alloc(0);

  constructor(private readonly littleEndian: boolean) {}

  narrow(chunk: Buffer): Buffer {
    const units = (chunk.length + (this.carry >= 0 ? 1 : 0)) >> 1;
    if (this.out.length < units) this.out = Buffer.allocUnsafe(Math.max(units, 1 << 16));
    const out = this.out;
    let k = 0;
    let i = 0;
    if (this.carry >= 0 && chunk.length > 0) {
      out[k++] = this.unit(this.carry, chunk[0]!);
      i = 1;
      this.carry = -1;
    }
    for (; i + 1 < chunk.length; i += 2) out[k++] = this.unit(chunk[i]!, chunk[i + 1]!);
    if (i < chunk.length) this.carry = chunk[i]!;
    return out.subarray(0, k);
  }

  private unit(first: number, second: number): number {
    const u = this.littleEndian ? first | (second << 8) : (first << 8) | second;
    return u < 0x80 ? u : 0x80;
  }
}
