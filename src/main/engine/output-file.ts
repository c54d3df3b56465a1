import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';

/** The first bytes of a SQLite database, of its write-ahead log, and of its rollback journal. */
const SQLITE_MAGICS = [
  Buffer.from('SQLite format 3\0', 'latin1'),
  Buffer.from([0x37, 0x7f, 0x06, 0x82]),
  Buffer.from([0x37, 0x7f, 0x06, 0x83]),
  Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]),
];
const STORE_SUFFIXES = ['', '-wal', '-shm', '-journal'];
/** Links followed before a chain is taken as a loop, as the kernel does (ELOOP). */
const MAX_LINKS = 40;

/**
 * Refuses an output path (a feature export, a metrics textfile) that would overwrite what
 * cannot be rebuilt from it: the store the app reads or one of its -wal, -shm and -journal
 * files (by name through any chain of links, dangling or not, and by inode, so a hard link
 * is caught too), any other SQLite file, or anything that is not a regular file (a folder, a
 * named pipe whose open would wait for a reader). Anything else may be replaced, as asked.
 */
export function assertSafeOutput(file: string, storeFile: string, what: string): void {
  const target = followLinks(path.resolve(file));
  const store = followLinks(path.resolve(storeFile));
  const storeFiles = STORE_SUFFIXES.map((s) => `${store}${s}`);
  const refuse = (why: string) => {
    throw new AppError('BAD_INPUT', `refusing to write the ${what} to ${file}: ${why}`, { file });
  };
  if (storeFiles.includes(target)) refuse(`that is the store it is read from (${storeFile})`);
  // path.resolve drops a trailing slash, and the write would make a file of the folder's name.
  if (/[\\/]$/.test(file)) refuse('a path ending in a slash names a folder, not a file');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return; // nothing there yet
  }
  if (stat.isDirectory()) refuse('it is a folder');
  if (!stat.isFile()) refuse('it is not a regular file (a named pipe, socket or device)');
  for (const storePart of storeFiles) {
    const part = statOrUndefined(storePart);
    if (part && part.dev === stat.dev && part.ino === stat.ino) {
      refuse(`that is another name (a hard link) for ${storePart}, part of the store`);
    }
  }
  if (startsWithSqliteMagic(target)) refuse('it holds a SQLite database, log or journal');
}

/** Numbers the temporary files of this process, so that two writes never share one. */
let written = 0;

/**
 * Writes `target` through a temporary file beside it, renamed over the target only once
 * `write` has succeeded: a reader never sees half a file, a cancelled or failed write leaves
 * the previous file as it was, and the rename replaces the name (or the link) itself, never
 * the file behind it.
 */
export async function writeReplacing<T>(
  target: string,
  write: (stream: fs.WriteStream) => Promise<T>,
): Promise<T> {
  const temp = path.join(path.dirname(path.resolve(target)),
    `.edutech-${process.pid}-${++written}.tmp`);
  // Readable by all, as a collector or a training job on another account may need.
  const stream = fs.createWriteStream(temp, { flags: 'wx', mode: 0o644 });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    const result = await write(stream);
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
    fs.renameSync(temp, target);
    return result;
  } catch (error) {
    stream.destroy();
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // Never created (its folder is missing or not a folder): the first error is the one.
    }
    throw cannotWrite(target, error);
  }
}

/**
 * A system error while creating, writing or renaming the temporary file, said of the file the
 * user named: the temporary name means nothing to them. Other errors (a cancelled export)
 * pass as they are.
 */
function cannotWrite(target: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof AppError || typeof code !== 'string' || !code.startsWith('E')) return error;
  const folder = path.dirname(path.resolve(target));
  const why: Record<string, string> = {
    ENOENT: fs.existsSync(folder) ? `cannot create a file in ${folder}`
      : `its folder ${folder} does not exist`,
    ENOTDIR: `${folder} is not a folder`,
    EACCES: `no permission to create a file in ${folder}`,
    EPERM: `no permission to create a file in ${folder}`,
    EROFS: `${folder} is on a read-only file system`,
    ENOSPC: `no space left on the device of ${folder}`,
    EDQUOT: `the disk quota of ${folder} is used up`,
    ENAMETOOLONG: 'its name is too long for the file system',
  };
  return new AppError('BAD_INPUT', `cannot write ${target}: `
    + (why[code] ?? (error as Error).message), { file: target, system: code });
}

/** The path a chain of symbolic links ends at, whether or not that end exists. */
function followLinks(file: string): string {
  let current = file;
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    let link: string;
    try {
      link = fs.readlinkSync(current);
    } catch {
      break; // not a link (or nothing there): the end of the chain
    }
    current = path.resolve(path.dirname(current), link);
  }
  try {
    return path.join(fs.realpathSync(path.dirname(current)), path.basename(current));
  } catch {
    return current;
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function startsWithSqliteMagic(file: string): boolean {
  const head = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return SQLITE_MAGICS.some((m) => n >= m.length && head.subarray(0, m.length).equals(m));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
