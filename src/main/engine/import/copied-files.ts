import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../shared/errors';
import { assertRegularFile } from './csv-records';

/**
 * IMPORT_FAILED when two of the files hold the same bytes. Click files are read in any number
 * (`studentVle*.csv`), and OULAD's exact duplicate rows are real data, so a copy left beside
 * its original (`studentVle_AAA_2013J (1).csv`) would be imported as twice every click without
 * any row looking wrong. Only files of equal size are hashed. A copy that differs by one byte,
 * or a file that overlaps another in part, is not caught: no rule tells such rows from the
 * real duplicates.
 */
export async function refuseCopiedFiles(folder: string, names: readonly string[]): Promise<void> {
  const bySize = new Map<number, string[]>();
  for (const name of names) {
    // Checked before hashing: a folder, FIFO or dangling link named like a click file must be
    // refused as the file it claims to be, not fail the hash with a bare system error.
    const { size } = assertRegularFile(path.join(folder, name), name);
    bySize.set(size, [...(bySize.get(size) ?? []), name]);
  }
  for (const [size, group] of bySize) {
    if (group.length < 2 || size === 0) continue;
    const seen = new Map<string, string>();
    for (const name of group) {
      const hash = createHash('sha256');
      await pipeline(fs.createReadStream(path.join(folder, name)), hash);
      const digest = hash.digest('hex');
      const original = seen.get(digest);
      if (original) {
        throw new AppError('IMPORT_FAILED', `${original} and ${name} hold the same bytes: `
          + 'importing both would count each of their clicks twice; remove one',
        { file: path.join(folder, name), copyOf: path.join(folder, original) });
      }
      seen.set(digest, name);
    }
  }
}
