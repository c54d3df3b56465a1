import fs from 'node:fs';
import fsp from 'node:fs/promises';

/**
 * Why one file or folder could not be counted. A problem is recorded in its ds_stats row and the
 * scan goes on; only a root that cannot be scanned at all fails the operation (SCAN_FAILED).
 */
export type ProblemReason =
  | 'empty'
  | 'not-utf8'
  | 'not-json'
  | 'not-notebook'
  | 'too-large'
  | 'unreadable'
  | 'vanished'
  | 'broken-symlink'
  | 'symlink-loop'
  | 'not-a-file'
  | 'not-utf8-name';

/** Longest detail kept: a parser message can quote the file, and one line is enough. */
const MAX_DETAIL = 200;

export class FileProblem extends Error {
  override readonly name = 'FileProblem';

  constructor(
    readonly reason: ProblemReason,
    message: string,
  ) {
    // One line: JSON.parse quotes the broken text, line breaks included, and ds_stats rows
    // end up in Grafana tables and log lines.
    const line = message.replace(/\s+/g, ' ').trim();
    super(line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 1)}…` : line);
  }

  /** The text stored in ds_stats.error: a stable reason first, so queries can group on it. */
  toText(): string {
    return `${this.reason}: ${this.message}`;
  }
}

/** A file-system failure (open, read, readdir, stat) as a problem with a stable reason. */
export function fsProblem(error: unknown): FileProblem {
  if (error instanceof FileProblem) return error;
  const e = error as NodeJS.ErrnoException;
  const detail = e?.code ? `${e.code} ${e.syscall ?? ''}`.trim() : String(error);
  switch (e?.code) {
    case 'ENOENT':
      return new FileProblem('vanished', `${detail} (removed or renamed during the scan)`);
    case 'ELOOP':
      return new FileProblem('symlink-loop', detail);
    default:
      return new FileProblem('unreadable', detail);
  }
}

/** What stands under a name that should be a regular file, worded for a message. */
export function fileKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return stat.isDirectory() ? 'a folder' : 'a special file';
}

/** The problem of a listed file that turned out to be something else when opened. */
function notAFile(stat: fs.Stats): FileProblem {
  return new FileProblem('not-a-file', `${fileKind(stat)} replaced the file during the scan`);
}

/**
 * Opens a file the walk listed, for reading, without ever blocking: the walk saw a regular
 * file, but by now a named pipe may stand under its name, and a plain open of a pipe waits
 * for a writer forever (under `serve`, with the event loop). O_NONBLOCK makes that open
 * return at once; fstat then tells what was opened. Reads of a regular file ignore the flag.
 */
export function openRegularFile(file: string): number {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const stat = fs.fstatSync(fd);
  if (stat.isFile()) return fd;
  fs.closeSync(fd);
  throw notAFile(stat);
}

/** openRegularFile for async reads (notebooks): the same check, as a FileHandle. */
export async function openRegularFileHandle(file: string): Promise<fsp.FileHandle> {
  const handle = await fsp.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const stat = await handle.stat();
  if (stat.isFile()) return handle;
  await handle.close();
  throw notAFile(stat);
}
