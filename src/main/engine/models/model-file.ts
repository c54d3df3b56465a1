import fs from 'node:fs';
import { promisify } from 'node:util';
import { FileProblem, fileKind, openRegularFile } from '../scan/file-problem';

/** A manifest is a few kB; anything this large is not one, and would be read whole. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** The shipped graphs are under 1 MB; a file this large is not a model of this app. */
export const MAX_MODEL_BYTES = 1024 * 1024 * 1024;

/**
 * Opens one of the models folder's files for reading. A stray file there must not hang or kill
 * every command: a named pipe would block a plain open forever and /dev/zero would be read until
 * memory runs out, so the file is opened non-blocking and fstat-ed (openRegularFile) and refused
 * unless it is a non-empty regular file of at most `maxBytes`. Throws an Error whose message
 * follows the file's name ("… is a named pipe, not a regular file").
 */
export function openModelFile(file: string, maxBytes: number): number {
  let fd: number;
  try {
    fd = openRegularFile(file);
  } catch (error) {
    if (error instanceof FileProblem && error.reason === 'not-a-file') {
      // stat, unlike open, never blocks: it names what is there for the message.
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      throw new Error(`is ${stat ? fileKind(stat) : 'a special file'}, not a regular file`,
        { cause: error });
    }
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'is missing' : `cannot be opened (${code ?? error})`,
      { cause: error });
  }
  const size = fs.fstatSync(fd).size;
  if (size === 0 || size > maxBytes) {
    fs.closeSync(fd);
    throw new Error(size === 0 ? 'is empty' : `is ${size} bytes, over the ${maxBytes}-byte limit`);
  }
  return fd;
}

const readFd = promisify(fs.readFile) as (fd: number) => Promise<Buffer>;

/**
 * Reads a whole model file through the checked descriptor, not by path: the file listed may have
 * been swapped for a pipe or a device since it was listed.
 */
export async function readModelFile(file: string, maxBytes: number): Promise<Buffer> {
  const fd = openModelFile(file, maxBytes);
  try {
    return await readFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** readModelFile for the small manifests, read synchronously while the folder is listed. */
export function readModelFileText(file: string, maxBytes: number): string {
  const fd = openModelFile(file, maxBytes);
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}
