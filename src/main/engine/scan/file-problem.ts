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
  | 'symlink-loop';

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
