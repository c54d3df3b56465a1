import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { featuresMarkdown } from './docs';

it('docs/features.md is the documentation generated from the feature definitions', () => {
  const file = path.resolve(__dirname, '../../../../docs/features.md');
  const committed = fs.readFileSync(file, 'utf8');
  expect(committed).toBe(featuresMarkdown());
});
