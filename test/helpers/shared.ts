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
