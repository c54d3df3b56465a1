import fs from 'node:fs';
import path from 'node:path';

/** `../shared` beside the repository: real data and corpus, never copied into the repo. */
export const SHARED_DIR = path.resolve(__dirname, '..', '..', '..', 'shared');
export const OULAD_DIR = path.join(SHARED_DIR, 'data', 'oulad');
export const CORPUS_DIR = path.join(SHARED_DIR, 'corpus');

/**
 * Whether the shared data is here. Outside CI a missing folder skips the suite with a message;
 * under CI it is a failure, because CI must always test against the real data.
 */
export function haveShared(dir: string = OULAD_DIR): boolean {
  if (fs.existsSync(dir)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${dir} is missing: CI must run against ../shared (real data and corpus)`);
  }
  console.warn(`skipping: ${dir} is not present (tests read the real data from ../shared)`);
  return false;
}

/** A minimal reader for the OULAD files, independent of the app's importer: every field of
 * these files is double-quoted and holds no comma or quote, so a split is exact here. */
export function readOuladCsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(path.join(OULAD_DIR, file), 'utf8').split('\r\n')
    .filter((l) => l !== '');
  const unquote = (line: string) => line.split(',').map((f) => f.replace(/^"|"$/g, ''));
  const header = unquote(lines[0]!);
  return lines.slice(1).map((line) => {
    const values = unquote(line);
    return Object.fromEntries(header.map((h, i) => [h, values[i]!]));
  });
}

/**
 * Writes a smaller real OULAD folder into `dir`: one presentation, optionally only some of its
 * students and the first `maxClickRows` of their click rows. Lines are copied as they are
 * (quoting and CRLF kept), so the importer reads real bytes.
 */
export function writeOuladSubset(dir: string, opts: {
  module: string;
  code: string;
  students?: readonly string[];
  maxClickRows?: number;
}): string {
  fs.mkdirSync(dir, { recursive: true });
  const students = opts.students ? new Set(opts.students) : undefined;
  const keep = (file: string, test: (row: Record<string, string>) => boolean, limit = Infinity) => {
    const lines = fs.readFileSync(path.join(OULAD_DIR, file), 'utf8').split('\r\n');
    const kept = [lines[0]!];
    readOuladCsv(file).forEach((row, i) => {
      if (kept.length <= limit && test(row)) kept.push(lines[i + 1]!);
    });
    fs.writeFileSync(path.join(dir, file), `${kept.join('\r\n')}\r\n`);
  };
  const mine = (r: Record<string, string>) => r.code_module === opts.module
    && r.code_presentation === opts.code;
  const enrolled = (r: Record<string, string>) => !students || students.has(r.id_student!);
  for (const f of ['courses.csv', 'assessments.csv', 'vle.csv']) keep(f, mine);
  for (const f of ['studentInfo.csv', 'studentRegistration.csv']) {
    keep(f, (r) => mine(r) && enrolled(r));
  }
  const ids = new Set(readOuladCsv('assessments.csv').filter(mine).map((a) => a.id_assessment));
  keep('studentAssessment.csv', (r) => ids.has(r.id_assessment!) && enrolled(r));
  const clicks = `studentVle_${opts.module}_${opts.code}.csv`;
  if (fs.existsSync(path.join(OULAD_DIR, clicks))) keep(clicks, enrolled, opts.maxClickRows);
  return dir;
}
