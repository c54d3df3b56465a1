import { FEATURES } from './definitions';

/**
 * docs/features.md, generated from the definitions so the documentation cannot drift from the
 * code (a test compares the committed file with this output; `edutech features list
 * --markdown > docs/features.md` regenerates it).
 */
export function featuresMarkdown(): string {
  const rows = FEATURES.map((f, i) => `| ${i} | \`${f.name}\` | ${f.unit} | ${f.definition} |`);
  return [
    '# Features',
    '',
    'The feature vector of an enrolment as of day *d*, days since the presentation started.',
    'One TypeScript implementation (`src/main/engine/features/trajectory.ts`) computes it for',
    'scoring, backfill and the training export; a trajectory of days 0..69 is one pass over the',
    'enrolment\'s rows. Models read the subset their manifest lists, by name.',
    '',
    '**No leakage:** a feature as of *d* reads only clicks dated on or before *d*, submissions',
    'made on or before *d*, assessments due on or before *d* and registration facts dated on or',
    'before *d*. A test deletes every row after *d* and checks the features as of *d* do not',
    'change. Scores are used from the day of submission: OULAD has no marking date, so the',
    'features assume a mark is known the day the work is handed in (a real school should use',
    'its marking date instead).',
    '',
    'Gender, disability and region are kept in the store but are not features, so that the',
    'fairness audit in `models/README.md` measures a model that does not read them.',
    '',
    '| # | name | unit | definition |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
