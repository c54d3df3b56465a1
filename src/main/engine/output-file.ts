import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses an output path (a feature export, a metrics textfile) that would overwrite what
 * cannot be rebuilt from it: the store the app reads (its -wal and -shm files too), any other
 * SQLite database, or a folder. Links are resolved first, so another name for the store is
 * caught as well. Anything else may be overwritten, as the user asked.
 */
export function assertSafeOutput(file: string, storeFile: string, what: string): void {
  const target = realTarget(file);
  const store = realTarget(storeFile);
  if ([store, `${store}-wal`, `${store}-shm`, `${store}-journal`].includes(target)) {
    throw new AppError('BAD_INPUT', `refusing to write the ${what} to ${file}: that is the `
      + `store it is read from (${storeFile})`, { file });
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return; // nothing there yet
  }
  if (stat.isDirectory()) {
    throw new AppError('BAD_INPUT', `cannot write the ${what} to ${file}: it is a folder`,
      { file });
  }
  if (stat.isFile() && startsWithSqliteHeader(target)) {
    throw new AppError('BAD_INPUT', `refusing to write the ${what} to ${file}: it holds a `
      + 'SQLite database', { file });
  }
}

/** The path with its folder's links resolved (the file itself may not exist yet). */
function realTarget(file: string): string {
  const absolute = path.resolve(file);
  try {
    return fs.realpathSync(absolute);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(absolute)), path.basename(absolute));
    } catch {
      return absolute;
    }
  }
}

function startsWithSqliteHeader(file: string): boolean {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
