import { describe, expect, it } from 'vitest';
import { countNotebookBytes } from './notebook-count';

const count = (doc: unknown) => countNotebookBytes(Buffer.from(JSON.stringify(doc)));
const reasonOf = (bytes: Buffer | string) => {
  try {
    countNotebookBytes(Buffer.from(bytes));
    return 'counted';
  } catch (error) {
    return (error as { reason?: string }).reason;
  }
};

describe('notebook code cells', () => {
  it('counts code cells of nbformat 4, whatever their source looks like', () => {
    expect(count({ nbformat: 4, nbformat_minor: 5, cells: [
      { cell_type: 'code', source: ['a\n', 'b'] },
      { cell_type: 'code', source: 'one string' },
      { cell_type: 'code' },
      { cell_type: 'code', source: null },
      { cell_type: 'markdown', source: [] },
      { cell_type: 'raw', source: [] },
      { cell_type: 'future cell' },
    ] })).toEqual({ codeCells: 4, nbformat: 4 });
  });

  it('sums worksheets[].cells for nbformat 2 and 3', () => {
    expect(count({ nbformat: 3, worksheets: [
      { cells: [{ cell_type: 'code', input: [] }, { cell_type: 'heading', level: 1 }] },
      { cells: [{ cell_type: 'code', input: [] }] },
      { metadata: {} },
    ] }).codeCells).toBe(2);
  });

  it('reads a v3 file without worksheets as a notebook with no cells', () => {
    expect(count({ metadata: { name: '' }, nbformat: 3, nbformat_minor: 0 }).codeCells).toBe(0);
  });

  it('reports empty, non-UTF-8, non-JSON and non-notebook files with a reason', () => {
    expect(reasonOf('')).toBe('empty');
    expect(reasonOf(Buffer.from([0x7b, 0xff, 0x7d]))).toBe('not-utf8');
    expect(reasonOf('{"cells": [\n<<<<<<< HEAD\n')).toBe('not-json');
    expect(reasonOf('[1, 2]')).toBe('not-notebook');
    expect(reasonOf('{"name": "package.json"}')).toBe('not-notebook');
    expect(reasonOf('\ufeff{"cells": []}')).toBe('counted');
  });
});
