import type { EnrolmentData } from '../store/store';

/**
 * Training targets. Unlike features these read the whole enrolment, the future included: they
 * are what a model learns to predict, and are never inputs.
 *
 * - success: 1 for a final result of Pass or Distinction, else 0 (Fail, Withdrawn).
 * - progress: the share of the presentation's non-exam assessment weight that the student
 *   passed (score >= 40) by the end, 0..1. Where a presentation's non-exam weights sum to 0
 *   (some modules weight only the exam), the share of non-exam assessments passed is used.
 *   It measures coursework completed, which is what a tutor can still act on during the
 *   presentation, whereas success also depends on the exam.
 */
export function successLabel(data: EnrolmentData): number {
  const r = data.enrolment.finalResult;
  return r === 'Pass' || r === 'Distinction' ? 1 : 0;
}

export function progressLabel(data: EnrolmentData): number {
  const coursework = data.presentation.assessments.filter((a) => a.type !== 'Exam');
  if (coursework.length === 0) return 0;
  const passed = new Set(data.submissions
    .filter((s) => s.score !== null && s.score >= 40).map((s) => s.assessment));
  const totalWeight = coursework.reduce((sum, a) => sum + a.weight, 0);
  if (totalWeight > 0) {
    const passedWeight = coursework.reduce((sum, a) => sum + (passed.has(a.assessment)
      ? a.weight : 0), 0);
    return passedWeight / totalWeight;
  }
  return coursework.filter((a) => passed.has(a.assessment)).length / coursework.length;
}
