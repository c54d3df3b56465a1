import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { installedTool } from '../../../../test/helpers/tools';
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
    expect(() => countNotebookBytes(Buffer.from('{"nbformat": "4", "cells": null}')))
      .toThrow('cells is null, nbformat is a string (cells and worksheets must be lists, '
        + 'nbformat a number)');
    expect(reasonOf('\ufeff{"cells": []}')).toBe('counted');
  });

  it('reads NaN and Infinity as Python\'s json module does, the manifest\'s reference', () => {
    const cell = (source: string) => `{"cell_type":"code","source":${source},"metadata":{}}`;
    const fixed = [
      `{"nbformat":4,"metadata":{"x":NaN},"cells":[${cell('[]')}]}`,
      `{"nbformat":4,"metadata":{"r":[Infinity,-Infinity, NaN ]},"cells":[${cell('"NaN"')}]}`,
      `{"nbformat":4,"cells":[${cell('"say \\"NaN\\" \\\\"')},${cell('[]')}],"m":NaN}`,
      '{"nbformat":4,"cells":[],"m":-NaN}',
      '{"nbformat":4,"cells":[],"m":NaNa}',
      '{"nbformat":4,"cells":[],"m":nan}',
      '{"nbformat":4,"cells":[],"m":Infinit}',
      '{"nbformat":4,"cells":[],Infinity:1}',
      '{"nbformat":4,"cells":[],"m":[1,NaN,]}',
    ];
    // Random notebooks with non-finite values in and out of strings.
    const value = fc.constantFrom('NaN', 'Infinity', '-Infinity', '1.5', '"NaN"', '"a\\"NaN"',
      'null', '[NaN]', '{"k":Infinity}');
    const random = fc.sample(fc.record({
      values: fc.array(value, { maxLength: 5 }),
      cells: fc.array(fc.constantFrom('code', 'markdown'), { maxLength: 4 }),
    }), { numRuns: 150, seed: 20261204 }).map(({ values, cells }) =>
      `{"nbformat":4,"metadata":{"v":[${values.join(',')}]},"cells":[${cells
        .map((t) => `{"cell_type":"${t}","source":[${values.join(',')}]}`).join(',')}]}`);
    const texts = [...fixed, ...random];
    const ours = texts.map((t) => {
      try {
        return countNotebookBytes(Buffer.from(t)).codeCells;
      } catch (error) {
        return (error as { reason?: string }).reason;
      }
    });
    const python3 = installedTool(['/usr/bin/python3'], 'python3',
      'the comparison with Python\'s json');
    if (!python3) return;
    const python = spawnSync(python3, ['-c', [
      'import json, sys',
      'out = []',
      'for t in json.load(sys.stdin):',
      '    try:',
      '        d = json.loads(t)',
      '        out.append(sum(1 for c in d["cells"] if c.get("cell_type") == "code"))',
      '    except ValueError:',
      '        out.append("not-json")',
      'print(json.dumps(out))',
    ].join('\n')], { input: JSON.stringify(texts), encoding: 'utf8' });
    expect(python.stderr).toBe('');
    expect(ours).toEqual(JSON.parse(python.stdout));
    expect(ours.slice(0, 3)).toEqual([1, 1, 2]);
  });
});
