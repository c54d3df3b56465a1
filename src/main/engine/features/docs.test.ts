import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { featuresMarkdown } from './docs';

it('docs/features.md is the documentation generated from the feature definitions', () => {
  const committed = fs.readFileSync(path.resolve(__dirname, '../../../../docs/features.md'), 'utf8');
  expect(committed).toBe(featuresMarkdown());
});
