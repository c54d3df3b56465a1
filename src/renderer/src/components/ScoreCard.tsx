import type { ScoreResult } from '../../../shared/contract';

const BASIS: Record<ScoreResult['basis'], string> = {
  now: 'latest data',
  week: 'end of week',
  date: 'as of date',
};

/** One score: the value first, then exactly which data it used, then the features behind it. */
export function ScoreCard({ result }: { result: ScoreResult }) {
  return (
    <section className="card result" data-testid="result" aria-live="polite">
      <div className="value-line">
        <span className="value" data-testid="score-value" data-value={String(result.value)}>
          {result.value.toFixed(4)}
        </span>
        <span className="metric">{result.metric}</span>
      </div>
      <p className="muted">
        {result.model} · student {result.student} in {result.presentation} · day{' '}
        {result.asOfDay} ({result.asOfDate}, {BASIS[result.basis]})
      </p>
      {result.notes.length > 0 && (
        <ul className="notes" data-testid="score-notes">
          {result.notes.map((note) => <li key={note}>{note}</li>)}
        </ul>
      )}
      <details>
        <summary>Features used</summary>
        <table className="features">
          <tbody>
            {Object.entries(result.features).map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{Number.isInteger(value) ? value : value.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
