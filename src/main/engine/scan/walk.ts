import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { fileKind, FileProblem, fsProblem } from './file-problem';

/**
 * The folder walk of a scan: which files are counted, which folders are skipped, and what
 * happens with links and unreadable entries. It yields; it never counts, so a walk of a huge
 * tree holds one folder listing at a time.
 */

export type FileKind = 'csv' | 'notebook';

/** Folder names skipped at any depth unless the caller passes its own list. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.ipynb_checkpoints',
  'node_modules',
  '__pycache__',
];

export interface WalkOptions {
  /** Folder names (not paths) to skip; replaces DEFAULT_EXCLUDES. `[]` skips nothing. */
  exclude?: readonly string[];
  /** Enter folders and count files whose name starts with a dot. */
  includeHidden?: boolean;
  /** Follow symbolic links to files and folders; off by default. */
  followSymlinks?: boolean;
  signal?: AbortSignal;
}

export interface WalkFile {
  type: 'file';
  path: string;
  /** Relative to the root, with `/` separators on every platform. */
  rel: string;
  kind: FileKind;
  size: number;
  mtimeMs: number;
}

export interface WalkProblem {
  type: 'problem';
  path: string;
  rel: string;
  kind: FileKind | 'dir';
  problem: FileProblem;
}

export type WalkEntry = WalkFile | WalkProblem;

/** The kind of file a name denotes, by extension (any case); undefined for every other file. */
export function kindOf(name: string): FileKind | undefined {
  const ext = path.extname(name).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ipynb') return 'notebook';
  return undefined;
}

/**
 * The person a file belongs to: the folder `depth` levels below the root (depth 1: root/<person>
 * /..., depth 2: root/<team>/<person>/...). Files above that level belong to "(root)".
 */
export function personOf(rel: string, depth = 1): string {
  const parts = rel.split('/');
  return parts.length > depth ? parts[depth - 1]! : '(root)';
}

function relative(root: string, full: string): string {
  return path.relative(root, full).split(path.sep).join('/');
}

async function folderKey(dir: string): Promise<string> {
  // bigint: inode numbers can exceed 2^53 on some file systems.
  const st = await fs.stat(dir, { bigint: true });
  return `${st.dev}:${st.ino}`;
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'scan cancelled');
}

/**
 * Walks one root depth-first in name order and yields every .csv and .ipynb file with its size
 * and mtime, plus a problem for each entry that could not be listed or resolved. Nothing is
 * fatal below the root. With followSymlinks, every folder entered is remembered by device and
 * inode, so a link back to an ancestor (or a second link to a folder) is reported once and not
 * entered: a loop can never make the walk run forever.
 */
export async function* walk(root: string, options: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const excluded = new Set(options.exclude ?? DEFAULT_EXCLUDES);
  const follow = options.followSymlinks ?? false;
  const firstSeen = new Map<string, string>();
  const stack = [root];

  while (stack.length > 0) {
    if (options.signal?.aborted) throw cancelled();
    const dir = stack.pop()!;
    const rel = relative(root, dir);

    let entries: Dirent[];
    try {
      if (follow) {
        const key = await folderKey(dir);
        const seen = firstSeen.get(key);
        if (seen !== undefined) {
          const where = seen === '' ? 'the root' : seen;
          yield problem(dir, rel, 'dir', new FileProblem('symlink-loop',
            `folder already scanned as ${where} (link loop or second link to it); not entered`));
          continue;
        }
        firstSeen.set(key, rel);
      }
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      yield problem(dir, rel, 'dir', fsProblem(error));
      continue;
    }

    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const undecodable = entries.some((e) => e.name.includes('\uFFFD'))
      ? await undecodableNames(dir) : new Map<string, string>();
    // Names that decode alike share one path, the row's key: recorded once, for all of them.
    const recorded = new Set<string>();
    const subfolders: string[] = [];
    for (const entry of entries) {
      const name = entry.name;
      if (!options.includeHidden && name.startsWith('.')) continue;
      const full = path.join(dir, name);
      const bytes = undecodable.get(name);
      if (bytes !== undefined) {
        if (recorded.has(name)) continue;
        recorded.add(name);
        const kind = entry.isDirectory() ? 'dir' : kindOf(name);
        if (kind) {
          yield problem(full, relative(root, full), kind, new FileProblem('not-utf8-name',
            `the name's bytes (${bytes}) are not UTF-8, so it cannot be opened by name: `
            + 'rename it to scan it'));
        }
        continue;
      }
      const resolved = await resolveEntry(entry, full, follow);
      if (resolved instanceof FileProblem) {
        yield problem(full, relative(root, full), kindOf(name) ?? 'dir', resolved);
        continue;
      }
      if (resolved === 'dir') {
        if (!excluded.has(name)) subfolders.push(full);
        continue;
      }
      const kind = kindOf(name);
      if (!kind) continue;
      // Only regular files are opened: a FIFO or device named x.csv would block or never end.
      // It is recorded instead, so the folder's owner sees why it has no count.
      if (resolved === 'other') {
        const special = await specialFileProblem(full, follow);
        if (special) yield problem(full, relative(root, full), kind, special);
        continue;
      }
      try {
        const st = await fs.stat(full);
        yield {
          type: 'file', path: full, rel: relative(root, full), kind,
          size: st.size, mtimeMs: st.mtimeMs,
        };
      } catch (error) {
        yield problem(full, relative(root, full), kind, fsProblem(error));
      }
    }
    // Reversed so that popping the stack visits subfolders in name order.
    for (let k = subfolders.length - 1; k >= 0; k--) stack.push(subfolders[k]!);
  }
}

/**
 * Names in `dir` that are not valid UTF-8, by the text Node decodes them to (with U+FFFD in
 * place of the bad bytes, a name that opens nothing), each with its bytes escaped for the
 * problem text. ds_stats stores paths as text, so such a name is recorded, not counted.
 */
async function undecodableNames(dir: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  // Sorted by bytes, so the names that decode alike are listed in the same order every time.
  const raws = (await fs.readdir(dir, { encoding: 'buffer' })).sort(Buffer.compare);
  for (const raw of raws) {
    const decoded = raw.toString('utf8');
    if (Buffer.from(decoded, 'utf8').equals(raw)) continue;
    const escaped = [...raw].map((b) => (b >= 0x20 && b < 0x7f
      ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
    const alike = names.get(decoded);
    names.set(decoded, alike === undefined ? escaped : `${alike}, ${escaped}`);
  }
  return names;
}

type EntryType = 'file' | 'dir' | 'link' | 'other';

/** The type the listing reports; some file systems leave it unknown (DT_UNKNOWN): then ask. */
async function typeOf(entry: Dirent, full: string): Promise<EntryType> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (entry.isSymbolicLink()) return 'link';
  if (entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice()) {
    return 'other';
  }
  const st = await fs.lstat(full);
  if (st.isSymbolicLink()) return 'link';
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

/**
 * The problem to record for a pipe, socket or device under a scanned name, found without
 * opening it; undefined for a link the walk does not follow (links are skipped by default).
 */
async function specialFileProblem(full: string, follow: boolean):
Promise<FileProblem | undefined> {
  try {
    const st = await fs.lstat(full);
    if (st.isSymbolicLink() && !follow) return undefined;
    const target = st.isSymbolicLink() ? await fs.stat(full) : st;
    return new FileProblem('not-a-file', `${fileKind(target)}, not a regular file: not opened`);
  } catch (error) {
    return fsProblem(error);
  }
}

/** What an entry is once links are (or are not) followed: file, dir, other, or a problem. */
async function resolveEntry(
  entry: Dirent,
  full: string,
  follow: boolean,
): Promise<'file' | 'dir' | 'other' | FileProblem> {
  let type: EntryType;
  try {
    type = await typeOf(entry, full);
  } catch (error) {
    return fsProblem(error);
  }
  if (type !== 'link') return type;
  if (!follow) return 'other';
  try {
    const st = await fs.stat(full);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new FileProblem('broken-symlink', 'link target does not exist');
    return fsProblem(error);
  }
}

function problem(
  full: string,
  rel: string,
  kind: FileKind | 'dir',
  p: FileProblem,
): WalkProblem {
  return { type: 'problem', path: full, rel, kind, problem: p };
}
