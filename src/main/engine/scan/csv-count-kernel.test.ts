import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, haveShared } from '../../../../test/helpers/shared';
import { CsvRecordCounter, countCsvBytes, type CsvCountOptions } from './csv-count';
import { countCsvFile } from './csv-count-file';
import { csvKernel } from './wasm/csv-kernel';
import { CSV_KERNEL_WASM } from './wasm/csv-kernel-bytes';

/**
 * The WebAssembly SIMD kernel against the JavaScript path: they must agree on every input,
 * however it is cut into chunks. The JavaScript path is itself checked against Python's csv
 * module and csv-parse in csv-count.test.ts; together that pins the kernel to the reference.
 */

const JS = { engine: 'js' } as const;

/** Records counted from `bytes` pushed in pieces cut at `cuts`, sampling shrunk to 1 byte so
 * counting starts at once and every cut is a chunk boundary of the counting path. */
function recordsCut(bytes: Buffer, cuts: number[], options: CsvCountOptions = {}) {
  const counter = new CsvRecordCounter({ ...options, sampleBytes: 1 });
  let from = 0;
  for (const at of [...cuts].sort((a, b) => a - b)) {
    counter.push(bytes.subarray(from, at));
    from = at;
  }
  counter.push(bytes.subarray(from));
  return counter.finish();
}

const fixed = (delimiter: string) => ({ delimiter, header: false }) as CsvCountOptions;
const jsRecords = (bytes: Buffer, options: CsvCountOptions) =>
  countCsvBytes(bytes, { ...options, ...JS }).records;

describe('the kernel is the one counting here', () => {
  it('loads, and counts UTF-8 and legacy bytes; UTF-16 stays on the JavaScript path', async () => {
    expect(csvKernel()).toBeDefined();
    expect(countCsvBytes(Buffer.from('a,b\n1,2\n')).engine).toBe('wasm');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\r\n1\r\n', 'utf16le')]);
    expect(countCsvBytes(le)).toMatchObject({ engine: 'js', dataRows: 1 });
    expect(countCsvBytes(Buffer.from('a,b\n1,2\n'), JS).engine).toBe('js');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-kernel-'));
    try {
      const file = path.join(dir, 'bom.csv');
      // A BOM, more than the sample and several reads: the zero-copy read path, shifted by 3.
      const row = '7,"a ""b""\r\nc",x\r\n';
      fs.writeFileSync(file, `\ufeffid,note,flag\r\n${row.repeat(200_000)}`);
      expect(await countCsvFile(file)).toMatchObject({ engine: 'wasm', dataRows: 200_000 });
      expect(await countCsvFile(file, JS)).toMatchObject({ engine: 'js', dataRows: 200_000 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('embeds exactly the committed csv_kernel.wasm', () => {
    const file = fs.readFileSync(path.join(__dirname, 'wasm', 'csv_kernel.wasm'));
    expect(Buffer.from(CSV_KERNEL_WASM, 'base64').equals(file)).toBe(true);
  });

  it('falls back to the JavaScript path where WebAssembly is missing', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-kernel-js-'));
    try {
      const entry = transpileTree(path.join(__dirname, 'csv-count.ts'), out);
      const script = `const { countCsvBytes } = require(${JSON.stringify(entry)});
        console.log(JSON.stringify(countCsvBytes(Buffer.from('a,b\\n"1\\n",2\\n3,4'))));`;
      const run = execFileSync(process.execPath, ['--no-expose-wasm', '-e', script], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(JSON.parse(run)).toMatchObject({ engine: 'js', dataRows: 2 });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

/** Pieces of CSV text that matter to the state machine, plus filler that pushes them across
 * the kernel's 16- and 64-byte boundaries. */
const TOKENS = ['a', 'bc', ',', ';', '\t', '|', '"', '""', '"x"', 'x"', '\r', '\n', '\r\n',
  '\r\r\n', ' ', '\0', 'é', 'a'.repeat(13), 'b'.repeat(61)];

const messyCsv = fc.record({
  delimiter: fc.constantFrom(',', ';', '\t', '|'),
  text: fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }).map((t) => t.join('')),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
});

describe('kernel and JavaScript path agree (property)', () => {
  it('on any text, whole or cut into chunks anywhere', () => {
    fc.assert(fc.property(messyCsv, ({ delimiter, text, cuts }) => {
      const bytes = Buffer.from(text, 'utf8');
      const options = fixed(delimiter);
      const expected = jsRecords(bytes, options);
      expect(countCsvBytes(bytes, options).records).toBe(expected);
      const at = cuts.map((c) => c % (bytes.length + 1));
      expect(recordsCut(bytes, at, options).records).toBe(expected);
      expect(recordsCut(bytes, at, { ...options, ...JS }).records).toBe(expected);
    }), { numRuns: 3000, seed: 64 });
  });

  it('with a chunk boundary at every byte of CRLFs, quotes and "" escapes around a block end',
    () => {
      // Each case puts the tricky bytes at offsets 60..70, across the first 64-byte block end.
      const lead = (s: string) => `h,${'x'.repeat(56)},${s}`;
      const cases = [
        lead('\r\n1,2\r\n\r\n3\r\r\n'),
        lead('"in ""quoted"" \r\n,field"\r\nz'),
        lead('""""\r\n"""a"\n'),
        lead('ab"c"\r\n"d"e"\r"f'), // stray quotes: the exact byte-by-byte path
        lead('"unclosed\r\n'),
        `${'"'.repeat(63)}\r\n${'"'.repeat(65)}\n,"\r`,
      ];
      for (const text of cases) {
        const bytes = Buffer.from(text);
        const expected = jsRecords(bytes, fixed(','));
        for (let at = 0; at <= bytes.length; at++) {
          expect(recordsCut(bytes, [at], fixed(',')).records, `${JSON.stringify(text)} @${at}`)
            .toBe(expected);
        }
      }
    });

  it('on a text larger than the kernel input area', () => {
    const row = '1,"a\r\nb ""c""",x"y,\r\n\r\n"z"\n';
    const bytes = Buffer.from(`h\n${row.repeat(300_000)}`); // ≈ 9 MB, 2+ input areas
    const expected = jsRecords(bytes, fixed(','));
    expect(expected).toBe(1 + 2 * 300_000);
    expect(countCsvBytes(bytes, fixed(',')).records).toBe(expected);
  });
});

interface ManifestEntry { path: string; csv?: { data_rows: number } }

describe.skipIf(!haveShared(CORPUS_DIR))('kernel and JavaScript path on the corpus', () => {
  it('agree with each other and with the manifest on every CSV, whole and in pieces', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'MANIFEST.json'), 'utf8'));
    const csvs = (manifest as ManifestEntry[]).filter((e) => e.csv);
    expect(csvs.length).toBeGreaterThan(20);
    for (const e of csvs) {
      const file = path.join(CORPUS_DIR, e.path);
      const simd = await countCsvFile(file);
      const js = await countCsvFile(file, JS);
      expect(simd.dataRows, e.path).toBe(e.csv!.data_rows);
      expect(js.dataRows, e.path).toBe(e.csv!.data_rows);
      expect(simd.engine, e.path).toBe(simd.encoding.startsWith('utf-16') ? 'js' : 'wasm');

      // Same delimiter and header, counting from the first byte, cut at pseudo-random points.
      const bytes = fs.readFileSync(file);
      const options = { delimiter: simd.delimiter, header: simd.header };
      const cuts = Array.from({ length: 9 }, (_, k) => (k * 7919 + 13) % (bytes.length + 1));
      expect(recordsCut(bytes, cuts, options).dataRows, e.path).toBe(e.csv!.data_rows);
    }
  });
});

/**
 * Transpiles `entry` and the modules it imports by relative path into `out`, keeping the
 * layout, so that a plain `node` with flags of our choosing can run the real code.
 */
function transpileTree(entry: string, out: string): string {
  const src = path.resolve(__dirname, '..', '..', '..');
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = fs.readFileSync(file, 'utf8');
    const js = ts.transpileModule(code, { compilerOptions: {
      module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true,
    } }).outputText;
    const target = path.join(out, path.relative(src, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, js);
    for (const m of code.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      visit(`${path.resolve(path.dirname(file), m[1]!)}.ts`);
    }
  };
  visit(entry);
  return path.join(out, path.relative(src, entry)).replace(/\.ts$/, '.js');
}
