import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvRecordCounter, countCsvBytes, type CsvCountOptions } from './csv-count';
import { countCsvFile } from './csv-count-file';
import { detectDelimiter, looksLikeHeader } from './csv-sniff';

const rows = (text: string | Buffer, options?: CsvCountOptions) =>
  countCsvBytes(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, options).dataRows;

/** Feeds the bytes in pieces of 1..maxPiece bytes with sampling shrunk to 1 byte, so every
 * chunk-boundary state of the counter is crossed. */
function countInPieces(bytes: Buffer, seed: number, options: CsvCountOptions = {}): number {
  const counter = new CsvRecordCounter({ ...options, sampleBytes: 1 });
  let at = 0;
  let s = seed;
  while (at < bytes.length) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const size = 1 + (s % 5);
    counter.push(bytes.subarray(at, at + size));
    at += size;
  }
  return counter.finish().records;
}

describe('CSV data rows', () => {
  it('counts records minus the header, with or without a final line break', () => {
    expect(rows('a,b\n1,2\n3,4\n')).toBe(2);
    expect(rows('a,b\n1,2\n3,4')).toBe(2);
    expect(rows('a,b\n')).toBe(0);
    expect(rows('a,b')).toBe(0);
    expect(rows('')).toBe(0);
  });

  it('treats CRLF, LF and CR alone as line ends, and \\r\\r\\n as a record plus a blank', () => {
    expect(rows('a,b\r\n1,2\r\n3,4\r\n')).toBe(2);
    expect(rows('a,b\r1,2\r3,4\r')).toBe(2);
    expect(rows('a,b\r\r\n1,2\r\r\n3,4\r\r\n')).toBe(2);
    expect(rows('a,b\n\n\n1,2\n\r\n3,4\n\n')).toBe(2);
    expect(rows('\n\r\n\ra,b\n1,2')).toBe(1);
  });

  it('keeps delimiters and line breaks inside quotes, and "" as an escaped quote', () => {
    expect(rows('a,b\n"x\ny",2\n"p,""q""\r\nr",3\n')).toBe(2);
    expect(rows('a,b\n"x\r\n\r\n",1\n')).toBe(1);
    expect(rows('a,b\n1,"unclosed\n2,3\n')).toBe(1); // Python: one record up to the end
  });

  it('opens quotes only at the start of a field, as Python does', () => {
    // 5'11" is an inch mark, not a quoted field: the line break after it ends the record.
    expect(rows('name,height\nann,5\'11"\nbob,6\'0"\n')).toBe(2);
    // After a closing quote the field goes on unquoted: "a"b is the field ab.
    expect(rows('h\n"a"b\n"c"\n')).toBe(2);
  });

  it('strips a UTF-8 BOM and reads UTF-16 LE and BE by their BOM', () => {
    expect(rows('\ufeffa,b\n1,2\n')).toBe(1);
    const text = 'a,b\r\n"\u220a\n",2\r\n3,4';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect(countCsvBytes(le)).toMatchObject({ dataRows: 2, encoding: 'utf-16le' });
    expect(countCsvBytes(be)).toMatchObject({ dataRows: 2, encoding: 'utf-16be' });
    // U+220A is the bytes 0A 22 in UTF-16LE: read byte-wise it would be a quote and a newline.
    expect(countInPieces(le, 7)).toBe(3);
  });

  it('counts single-byte and Big5 text by bytes: no trail byte is a quote or a line break', () => {
    const cp1251 = Buffer.from([0xc8, 0xec, 0xff, 0x3b, 0xc3, 0xee, 0xe4, 0x0a, 0xc0, 0x3b, 0x31,
      0x0a]);
    expect(countCsvBytes(cp1251)).toMatchObject({ dataRows: 1, delimiter: ';' });
    // Big5 "許" is A5 5C: its trail byte is a backslash, which means nothing to CSV.
    const big5 = Buffer.from([0x61, 0x2c, 0x62, 0x0d, 0x0a, 0x22, 0xa5, 0x5c, 0x0a, 0xa5, 0x5c,
      0x22, 0x2c, 0x31, 0x0d, 0x0a]);
    expect(rows(big5)).toBe(1);
  });

  it('counts NUL as an ordinary byte and does not check field counts', () => {
    expect(rows('a,b,c\n\0,2,3\n')).toBe(1);
    expect(rows('a,b,c\n1,2\n1,2,3,4\n,\n')).toBe(3);
  });

  it('gives the same count for any chunking of the input', () => {
    const text = Buffer.from('id;note\r\n1;"a;b\r\nc"\r\n2;"x""y"\r\n\r\n3;z\r', 'utf8');
    for (let seed = 1; seed < 200; seed++) {
      expect(countInPieces(text, seed, { delimiter: ';' })).toBe(4);
    }
  });
});

describe('delimiter and header detection', () => {
  const sniff = (text: string) => detectDelimiter(Buffer.from(text), true);

  it('picks the delimiter that repeats consistently outside quotes', () => {
    expect(sniff('a;b;c\n1,5;2,5;3\n')).toBe(';');
    expect(sniff('a\tb\n"x,y,z"\t1\n')).toBe('\t');
    expect(sniff('k|name\n1|Frame, 58\n2|Helmet, Black\n')).toBe('|');
    // Tabs pad the values but vary per line; the commas do not.
    expect(sniff('date,\t\t\tamount,\t\tqty\n1,\t2,\t\t\t3\n4,\t\t5,\t6\n')).toBe(',');
    expect(sniff('single\n1\n2\n')).toBe(',');
  });

  it('treats an all-numeric first record as data, except pandas column labels', () => {
    expect(looksLikeHeader(['id', 'value'])).toBe(true);
    expect(looksLikeHeader(['7', '0', '0.5', '-1e3'])).toBe(false);
    expect(looksLikeHeader(['0', '1', '2', '3'])).toBe(true);
    expect(looksLikeHeader(['', '0', '1'])).toBe(true);
    expect(rows('7,0,0\n2,0,0\n')).toBe(2);
    expect(rows('"7","0"\n"2","1"\n')).toBe(2);
    expect(rows('a,b\n1,2\n', { header: false })).toBe(2);
  });
});

describe('reading files', () => {
  it('streams a file larger than one read and is cancellable between reads', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-count-'));
    const file = path.join(dir, 'big.csv');
    const line = '1,"multi\nline, quoted",plain text\n';
    fs.writeFileSync(file, `a,b,c\n${line.repeat(100_000)}`);
    expect((await countCsvFile(file)).dataRows).toBe(100_000);
    const controller = new AbortController();
    controller.abort();
    await expect(countCsvFile(file, { signal: controller.signal })).rejects
      .toMatchObject({ code: 'CANCELLED' });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/** RFC 4180 documents built field by field, so that csv-parse can read them too. */
const csvDocument = fc.record({
  delimiter: fc.constantFrom(',', ';', '\t', '|'),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  bom: fc.boolean(),
  finalEol: fc.boolean(),
  records: fc.array(fc.array(fc.oneof(
    fc.stringMatching(/^[a-z0-9 .\-]{0,6}$/),
    fc.string({ unit: fc.constantFrom('a', ',', ';', '\t', '|', '"', '\n', '\r', ' ', 'é') })
      .map((s) => `"${s.replace(/"/g, '""')}"`),
  ), { minLength: 1, maxLength: 5 }), { minLength: 0, maxLength: 12 }),
}).map((d) => {
  // A record of one empty unquoted field is a blank line, which csv-parse and Python both skip.
  const records = d.records.map((r) => (r.length === 1 && r[0] === '' ? ['x'] : r));
  const body = records.map((r) => r.join(d.delimiter)).join(d.eol);
  return { ...d, records, text: (d.bom ? '\ufeff' : '') + body + (d.finalEol ? d.eol : '') };
});

describe('against csv-parse (property)', () => {
  it('counts exactly the records csv-parse reads', () => {
    fc.assert(fc.property(csvDocument, fc.integer({ min: 1, max: 1000 }), (doc, seed) => {
      const reference = parse(doc.text, {
        bom: true, delimiter: doc.delimiter, relax_column_count: true, skip_empty_lines: true,
      }) as string[][];
      const bytes = Buffer.from(doc.text, 'utf8');
      const options = { delimiter: doc.delimiter, header: false } as const;
      expect(countCsvBytes(bytes, options).records).toBe(reference.length);
      expect(countInPieces(bytes, seed, options)).toBe(reference.length);
    }), { numRuns: 2000 });
  });
});

const PYTHON = '/usr/bin/python3';

describe.skipIf(!fs.existsSync(PYTHON))('against Python csv.reader (the manifest oracle)', () => {
  it('counts the non-blank records Python reads, malformed input included', () => {
    const alphabet = ['a', ',', '"', '""', '\r', '\n', '\r\n', ' ', '\0', 'é'];
    const cases = fc.sample(fc.array(fc.constantFrom(...alphabet), { maxLength: 30 })
      .map((parts) => parts.join('')), { numRuns: 3000, seed: 4180 });
    const script = 'import csv, io, json, sys\n'
      + 'print(json.dumps([sum(1 for r in csv.reader(io.StringIO(s, newline=""), '
      + 'delimiter=",") if r) for s in json.load(sys.stdin)]))';
    const expected = JSON.parse(execFileSync(PYTHON, ['-c', script], {
      input: JSON.stringify(cases),
    }).toString()) as number[];
    cases.forEach((text, k) => {
      const bytes = Buffer.from(text, 'utf8');
      const options = { delimiter: ',', header: false } as const;
      expect(countCsvBytes(bytes, options).records, JSON.stringify(text)).toBe(expected[k]);
      expect(countInPieces(bytes, k + 1, options), JSON.stringify(text)).toBe(expected[k]);
    });
  });
});
