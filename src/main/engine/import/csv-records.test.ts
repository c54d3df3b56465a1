import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { readRecords } from './csv-records';

/**
 * The line a record is reported on is the line an editor shows it on, whatever the line
 * endings and however many line breaks the quoted fields before it hold: an import error names
 * that line, and the analyst opens the file there.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-csv-records-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let files = 0;

function write(text: string): string {
  const file = path.join(tmp, `t${files++}.csv`);
  fs.writeFileSync(file, text);
  return file;
}

async function lines(text: string): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const r of readRecords(write(text), ['a', 'b'])) out.push([r.line, r.get('a')]);
  return out;
}

async function failure(text: string): Promise<string> {
  const error = await lines(text).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).message;
}

/** Line breaks as an editor counts them: CR LF, LF and CR each end a line. */
const breaksIn = (text: string) => text.match(/\r\n|\r|\n/g)?.length ?? 0;

describe('readRecords line numbers', () => {
  it('gives the line a record starts on, after quoted fields holding CR LF, LF or CR', async () => {
    const text = '"a","b"\r\n"1","x\r\ny"\r\n"2","z"\r\n"3","p\nq\rr"\r\n\r\n"4","s"\r\n';
    expect(await lines(text)).toEqual([[2, '1'], [4, '2'], [5, '3'], [9, '4']]);
  });

  it('names the right line for a bad row after such a field', async () => {
    expect(await failure('"a","b"\r\n"1","x\r\ny"\r\n"2","z","extra"\r\n'))
      .toMatch(/^t\d+\.csv, line 4: 3 fields where the header has 2$/);
    expect(await failure('"a","b"\r\n"1","x\r\ny"\r\n"2","z\u0000"\r\n'))
      .toMatch(/^t\d+\.csv, line 4: b holds a NUL byte$/);
    // A parser error (a quote inside an unquoted field) after the field, too.
    const parse = await failure('"a","b"\r\n"1","x\r\ny"\r\n"2",z"z\r\n');
    expect(parse).toMatch(/^t\d+\.csv, line 4: Invalid Opening Quote: a quote is found on field 1/);
    expect(parse).not.toMatch(/at line \d/);
  });

  it('names the line a faulty record starts on, however far the parser read past it', async () => {
    // An unclosed quote swallows the rest of the file: the same line for CR LF and for LF.
    const rows = Array.from({ length: 50 }, (_, i) => `${i},x`);
    rows[20] = '20,"x';
    for (const end of ['\r\n', '\n']) {
      expect(await failure(`a,b${end}${rows.join(end)}${end}`)).toMatch(new RegExp(
        '^t\\d+\\.csv, line 22: a quote opened in the record that starts on this line is '
        + 'never closed$'));
    }
    // A record past the size limit, started by such a quote, is named where it starts too.
    const long = `a,b\r\n1,x\r\n2,"x\r\n${'3,y\r\n'.repeat(400_000)}`;
    expect(await failure(long))
      .toMatch(/^t\d+\.csv, line 3: the record that starts on this line runs past 1 MiB/);
    // A fault on the second line of a record spanning a quoted CR LF, after empty lines.
    expect(await failure('a,b\r\n1,x\r\n\r\n\r\n2,"y\r\nz"q\r\n3,w\r\n'))
      .toMatch(/^t\d+\.csv, line 5: Invalid Closing Quote/);
  });

  it('reports the first fault in the file, not a parse error the parser met further on',
    async () => {
      // Both lines lie in the same 64 KiB read: the parser fails on line 5 before line 3 is
      // handed on.
      expect(await failure('a,b\r\n1,x\r\n2,x,extra\r\n3,x\r\n4,"x"y\r\n'))
        .toMatch(/^t\d+\.csv, line 3: 3 fields where the header has 2$/);
    });

  it('counts a CR LF split across two reads of the file as one line end', async () => {
    // The read stream hands the parser 64 KiB at a time: put the CR last in the first chunk.
    const head = '"a","b"\r\n';
    const pad = 65_536 - head.length - '"1","'.length - '"\r'.length;
    const text = `${head}"1","${'x'.repeat(pad)}"\r\n"2","y"\r\n`;
    expect(text.indexOf('\r\n"2"')).toBe(65_535);
    expect(await lines(text)).toEqual([[2, '1'], [3, '2']]);
  });

  it('agrees with an editor on mixed line endings, empty lines and quoted breaks', async () => {
    const end = fc.constantFrom('\r\n', '\n', '\r');
    const quoted = fc.array(fc.constantFrom('x', ',', '""', '\r\n', '\n', '\r'), { maxLength: 6 })
      .map((parts) => `"${parts.join('')}"`);
    // Long plain fields move the records across the 64 KiB reads of the file.
    const plain = fc.oneof(fc.stringMatching(/^[a-z0-9]{1,8}$/),
      fc.integer({ min: 1_000, max: 40_000 }).map((n) => 'p'.repeat(n)));
    const row = fc.record({
      a: fc.stringMatching(/^[0-9]{1,6}$/),
      b: fc.oneof(plain, quoted),
      end,
      emptyAfter: fc.array(end, { maxLength: 2 }),
    });
    await fc.assert(fc.asyncProperty(end, fc.array(row, { minLength: 1, maxLength: 12 }),
      async (headerEnd, rows) => {
        let text = `a,b${headerEnd}`;
        const expected: Array<[number, string]> = [];
        for (const r of rows) {
          expected.push([breaksIn(text) + 1, r.a]);
          text += `${r.a},${r.b}${r.end}${r.emptyAfter.join('')}`;
        }
        // A row starts with a digit, so what follows never turns an earlier line end into
        // another (a CR, then an empty line's LF, is one CR LF, as an editor reads it).
        expect(await lines(text)).toEqual(expected);
      }), { numRuns: 150 });
  });
});
