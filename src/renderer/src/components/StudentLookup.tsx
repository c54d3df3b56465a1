import { useState, type FormEvent } from 'react';

/** The student id box. Digits are checked by the contract, so a typo shows its BAD_INPUT. */
export function StudentLookup(props: { busy: boolean; onFind: (student: string) => void }) {
  const [student, setStudent] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (student.trim()) props.onFind(student.trim());
  };

  return (
    <form className="row" onSubmit={submit}>
      <label htmlFor="student">Student id</label>
      <input
        id="student"
        name="student"
        data-testid="student-input"
        inputMode="numeric"
        autoComplete="off"
        placeholder="e.g. 11391"
        value={student}
        onChange={(e) => setStudent(e.target.value)}
      />
      <button type="submit" data-testid="find" disabled={props.busy || !student.trim()}>
        {props.busy ? 'Looking…' : 'Look up'}
      </button>
    </form>
  );
}
