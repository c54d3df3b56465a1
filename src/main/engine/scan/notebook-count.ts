import { AppError } from '../../../shared/errors';
import { FileProblem, openRegularFileHandle } from './file-problem';

/**
 * Code cells of a Jupyter notebook, counted the way the corpus manifest (and the old
 * grafana.py) did: parse the JSON as Python's json module does (NaN and Infinity included),
 * count cells whose cell_type is "code", whatever their source looks like (list of lines, one
 * string, null or missing). Where Python refuses what a notebook reader accepts, this reads
 * it: a UTF-8 byte-order mark, integers of more than 4,300 digits, nesting deeper than
 * Python's recursion limit.
 */

export interface NotebookCount {
  codeCells: number;
  /** The declared major version, when there is one (2, 3 and 4 are all read). */
  nbformat: number | null;
}

/** Above this a notebook is recorded as too large rather than parsed (JSON.parse holds it all). */
export const MAX_NOTEBOOK_BYTES = 256 * 1024 * 1024;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function codeCellsIn(cells: unknown[]): number {
  let count = 0;
  for (const cell of cells) if (isObject(cell) && cell.cell_type === 'code') count++;
  return count;
}

/**
 * Counts the code cells of a parsed notebook. nbformat 4 keeps cells in `cells`; 2 and 3 in
 * `worksheets[].cells`. A document with `nbformat` but neither list (a v3 file without
 * worksheets) is a notebook with no cells; a document with none of the three keys is not a
 * notebook and is reported, so a stray JSON file named .ipynb does not pass as empty.
 */
export function codeCellsOf(doc: unknown): NotebookCount {
  if (!isObject(doc)) {
    throw new FileProblem('not-notebook', `top-level JSON is ${describe(doc)}, not an object`);
  }
  const nbformat = typeof doc.nbformat === 'number' ? doc.nbformat : null;
  if (Array.isArray(doc.cells)) return { codeCells: codeCellsIn(doc.cells), nbformat };
  if (Array.isArray(doc.worksheets)) {
    let codeCells = 0;
    for (const sheet of doc.worksheets) {
      if (isObject(sheet) && Array.isArray(sheet.cells)) codeCells += codeCellsIn(sheet.cells);
    }
    return { codeCells, nbformat };
  }
  if (nbformat !== null) return { codeCells: 0, nbformat };
  const present = ['cells', 'worksheets', 'nbformat'].filter((key) => key in doc);
  throw new FileProblem('not-notebook', present.length === 0
    ? 'JSON object without cells, worksheets or nbformat'
    : present.map((key) => `${key} is ${describe(doc[key])}`).join(', ')
      + ' (cells and worksheets must be lists, nbformat a number)');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// fatal: a notebook that is not UTF-8 is broken (Jupyter cannot open it either); a lenient
// decoder would hide that behind replacement characters.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Counts the code cells of a notebook held in memory. Throws FileProblem when it is broken. */
export function countNotebookBytes(bytes: Uint8Array): NotebookCount {
  if (bytes.length === 0) throw new FileProblem('empty', 'empty file (0 bytes)');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new FileProblem('not-utf8', 'not valid UTF-8');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    // Python's json module (the manifest's reference, and what wrote many notebooks) reads and
    // writes NaN, Infinity and -Infinity; JSON.parse refuses them. Only then is the text read
    // again with those values as null: the cell count does not depend on them.
    const lenient = withoutNonFiniteNumbers(text);
    try {
      if (lenient === undefined) throw error;
      doc = JSON.parse(lenient);
    } catch {
      throw new FileProblem('not-json', `not valid JSON: ${(error as Error).message}`);
    }
  }
  return codeCellsOf(doc);
}

const NON_FINITE = ['-Infinity', 'Infinity', 'NaN'];

/**
 * The text with every NaN, Infinity and -Infinity outside a string replaced by null, or
 * undefined when it has none. Strings are skipped by their quotes and escapes, so a cell that
 * prints "NaN" is left alone; anything else that is not JSON stays so for the second parse.
 */
function withoutNonFiniteNumbers(text: string): string | undefined {
  let out = '';
  let from = 0;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c !== 'N' && c !== 'I' && c !== '-') continue;
    const token = NON_FINITE.find((t) => text.startsWith(t, i));
    if (!token || /[\w$]/.test(text[i + token.length] ?? '')) continue;
    out += `${text.slice(from, i)}null`;
    i += token.length - 1;
    from = i + 1;
    found = true;
  }
  return found ? out + text.slice(from) : undefined;
}

/** Reads and counts one notebook; cancellable while the file is read. */
export async function countNotebookFile(
  file: string,
  options: { signal?: AbortSignal; size?: number } = {},
): Promise<NotebookCount> {
  if (options.size !== undefined && options.size > MAX_NOTEBOOK_BYTES) {
    throw new FileProblem('too-large', `${options.size} bytes, above ${MAX_NOTEBOOK_BYTES}`);
  }
  let bytes: Buffer;
  const handle = await openRegularFileHandle(file);
  try {
    bytes = await handle.readFile({ signal: options.signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') {
      throw new AppError('CANCELLED', 'scan cancelled', { file });
    }
    throw error;
  } finally {
    await handle.close();
  }
  return countNotebookBytes(bytes);
}
