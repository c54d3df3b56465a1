/**
 * The feature vector of an enrolment as of day d (days since the presentation's start). Every
 * model's manifest lists the features it reads by name, in order; this list is the one
 * definition that scoring, backfill and the training export share. `docs/features.md` is
 * generated from the same text, so a definition here is the definition everywhere.
 *
 * Leakage rule: a feature as of d reads only click rows with day <= d, submissions with
 * day_submitted <= d, assessments due on or before d, and registration facts dated on or
 * before d. Demographics are known at registration.
 *
 * Gender, disability and region are stored but deliberately not features: the models are
 * audited for fairness across gender and disability (see models/README.md), and using them as
 * inputs would make the score depend on them directly.
 */
export interface FeatureDefinition {
  name: string;
  unit: string;
  definition: string;
}

export const FEATURES = [
  { name: 'day', unit: 'days', definition: 'd itself: days since the presentation started' },
  { name: 'presentation_length', unit: 'days', definition: 'length of the presentation' },
  {
    name: 'click_data_available', unit: '0/1',
    definition: '1 when the presentation has any click data imported, else 0 (then every click '
      + 'feature is 0 and means "unknown", not "inactive")',
  },
  { name: 'clicks_total', unit: 'clicks', definition: 'clicks on days <= d, pre-start included' },
  { name: 'clicks_before_start', unit: 'clicks', definition: 'clicks on days < 0 (and <= d)' },
  { name: 'active_days', unit: 'days', definition: 'distinct days <= d with at least one click' },
  { name: 'clicks_last_7d', unit: 'clicks', definition: 'clicks on days d-6 .. d' },
  { name: 'active_days_last_7d', unit: 'days', definition: 'distinct active days in d-6 .. d' },
  { name: 'clicks_last_14d', unit: 'clicks', definition: 'clicks on days d-13 .. d' },
  {
    name: 'days_since_last_click', unit: 'days',
    definition: 'd minus the last day <= d with a click; d + 30 when there is none (as if the '
      + 'last click were 30 days before the start)',
  },
  {
    name: 'clicks_content', unit: 'clicks',
    definition: 'clicks <= d on course content (oucontent, resource, url, page, subpage, '
      + 'sharedsubpage, dualpane, folder, htmlactivity, glossary, dataplus, repeatactivity)',
  },
  {
    name: 'clicks_forum', unit: 'clicks',
    definition: 'clicks <= d on forums and live sessions (forumng, ouwiki, oucollaborate, '
      + 'ouelluminate)',
  },
  {
    name: 'clicks_quiz', unit: 'clicks',
    definition: 'clicks <= d on quizzes (quiz, externalquiz, questionnaire)',
  },
  { name: 'clicks_homepage', unit: 'clicks', definition: 'clicks <= d on the module homepage' },
  {
    name: 'assessments_due', unit: 'count',
    definition: 'non-exam assessments of the presentation due on or before d',
  },
  { name: 'weight_due', unit: '%', definition: 'summed weight of those assessments' },
  {
    name: 'assessments_submitted', unit: 'count',
    definition: 'the student\'s submissions (banked included) with day_submitted <= d',
  },
  {
    name: 'assessments_missed', unit: 'count',
    definition: 'assessments due on or before d with no submission by d',
  },
  {
    name: 'share_due_submitted', unit: '0..1',
    definition: 'share of the assessments due by d that were submitted by d; 1 when none due',
  },
  {
    name: 'late_submissions', unit: 'count',
    definition: 'submissions made by d after their due day',
  },
  {
    name: 'mean_score', unit: 'points 0..100',
    definition: 'mean score of the submissions made by d that have a score; 0 when none',
  },
  {
    name: 'weighted_passed', unit: '%',
    definition: 'summed weight of the assessments submitted by d with a score >= 40',
  },
  {
    name: 'registration_day', unit: 'days',
    definition: 'day of registration (negative: before the start); 0 when unknown',
  },
  {
    name: 'unregistered', unit: '0/1',
    definition: '1 when the student unregistered on or before d',
  },
  { name: 'prev_attempts', unit: 'count', definition: 'earlier attempts at this module' },
  { name: 'studied_credits', unit: 'credits', definition: 'credits the student is studying' },
  {
    name: 'education_level', unit: 'ordinal 0..4',
    definition: 'highest education: No Formal quals 0, Lower Than A Level 1, A Level or '
      + 'Equivalent 2, HE Qualification 3, Post Graduate Qualification 4; 1 when unknown',
  },
  {
    name: 'imd_band', unit: 'ordinal 0..9',
    definition: 'deprivation band of the home area, 0-10% → 0 … 90-100% → 9; 4.5 when unknown',
  },
  { name: 'age_band', unit: 'ordinal 0..2', definition: '0-35 → 0, 35-55 → 1, 55<= → 2' },
  {
    name: 'active_days_rank', unit: '0..1',
    definition: 'mid-rank of active_days among every enrolment of the presentation as of d '
      + '(share below plus half the share equal); 0.5 without click data',
  },
  {
    name: 'clicks_total_rank', unit: '0..1',
    definition: 'mid-rank of clicks_total among the presentation\'s enrolments as of d',
  },
  {
    name: 'clicks_last_7d_rank', unit: '0..1',
    definition: 'mid-rank of clicks_last_7d among the presentation\'s enrolments as of d',
  },
] as const satisfies readonly FeatureDefinition[];

export type FeatureName = (typeof FEATURES)[number]['name'];
export const FEATURE_NAMES: FeatureName[] = FEATURES.map((f) => f.name);
export const FEATURE_COUNT = FEATURES.length;

/** Column index of each feature in a feature row. */
export const FEATURE_INDEX = Object.fromEntries(
  FEATURE_NAMES.map((name, i) => [name, i]),
) as Record<FeatureName, number>;

export const ACTIVITY_CATEGORY: Record<string, 'content' | 'forum' | 'quiz' | 'homepage'> = {
  oucontent: 'content', resource: 'content', url: 'content', page: 'content',
  subpage: 'content', sharedsubpage: 'content', dualpane: 'content', folder: 'content',
  htmlactivity: 'content', glossary: 'content', dataplus: 'content', repeatactivity: 'content',
  forumng: 'forum', ouwiki: 'forum', oucollaborate: 'forum', ouelluminate: 'forum',
  quiz: 'quiz', externalquiz: 'quiz', questionnaire: 'quiz',
  homepage: 'homepage',
};

export const EDUCATION_LEVEL: Record<string, number> = {
  'No Formal quals': 0,
  'Lower Than A Level': 1,
  'A Level or Equivalent': 2,
  'HE Qualification': 3,
  'Post Graduate Qualification': 4,
};

export const AGE_BAND: Record<string, number> = { '0-35': 0, '35-55': 1, '55<=': 2 };
