import type { EnrolmentSummary } from '../../../shared/contract';

/** The student's enrolments; one must be chosen when there are several. */
export function EnrolmentList(props: {
  student: string;
  enrolments: EnrolmentSummary[];
  chosen?: string;
  onChoose: (presentation: string) => void;
}) {
  if (props.enrolments.length === 0) {
    return <p className="muted" data-testid="no-enrolments">
      No enrolment for student {props.student}.
    </p>;
  }

  return (
    <fieldset className="enrolments" data-testid="enrolments">
      <legend>
        {props.enrolments.length > 1 ? 'Choose a presentation' : 'Presentation'}
      </legend>
      {props.enrolments.map((e) => (
        <label key={e.presentation} className="enrolment">
          <input
            type="radio"
            name="presentation"
            value={e.presentation}
            data-testid={`presentation-${e.presentation}`}
            checked={props.chosen === e.presentation}
            onChange={() => props.onChoose(e.presentation)}
          />
          <span className="key">{e.presentation}</span>
          <span className="muted">
            starts {e.startDate} · {e.lengthDays} days · {e.finalResult ?? 'no result yet'}
          </span>
          {!e.hasActivity && <span className="badge">no click data</span>}
        </label>
      ))}
    </fieldset>
  );
}
