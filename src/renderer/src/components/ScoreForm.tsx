import { useEffect, useState, type FormEvent } from 'react';
import type { ModelCard } from '../../../shared/contract';

/** What the window asks the engine besides the student and presentation. */
export interface ScoreRequest {
  model: string;
  week?: number;
  date?: string;
}

type When = 'now' | 'week' | 'date';

/**
 * Model and moment. The form does not second-guess the engine (no max week, `noValidate`): the
 * presentation decides which weeks exist, and its BAD_WEEK message says so better than a
 * browser tooltip could.
 */
export function ScoreForm(props: {
  models: ModelCard[] | null;
  disabled: boolean;
  busy: boolean;
  onScore: (request: ScoreRequest) => void;
}) {
  const [model, setModel] = useState('');
  const [when, setWhen] = useState<When>('now');
  const [week, setWeek] = useState('5');
  const [date, setDate] = useState('');

  // Start on the card's recommended model (the list is alphabetical, so its first entry is
  // just the first name, here a progress regressor).
  useEffect(() => {
    const first = props.models?.find((m) => m.card?.recommended === true) ?? props.models?.[0];
    if (!model && first) setModel(first.name);
  }, [model, props.models]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const request: ScoreRequest = { model };
    if (when === 'week') request.week = Number(week);
    if (when === 'date') request.date = date;
    props.onScore(request);
  };

  const card = props.models?.find((m) => m.name === model);
  const noModels = props.models !== null && props.models.length === 0;

  return (
    <form className="score-form" onSubmit={submit} noValidate>
      <div className="row">
        <label htmlFor="model">Model</label>
        <select id="model" data-testid="model" value={model} disabled={noModels}
          onChange={(e) => setModel(e.target.value)}>
          {props.models === null && <option value="">loading…</option>}
          {noModels && <option value="">no models in the models folder</option>}
          {props.models?.map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
        </select>
        {card && <span className="muted">{card.metric} · {card.kind}</span>}
      </div>
      {card?.description && <p className="muted small">{card.description}</p>}

      <div className="row when" role="radiogroup" aria-label="As of">
        <span className="label">As of</span>
        {(['now', 'week', 'date'] as const).map((kind) => (
          <label key={kind}>
            <input type="radio" name="when" value={kind} data-testid={`when-${kind}`}
              checked={when === kind} onChange={() => setWhen(kind)} />
            {kind === 'now' ? 'now' : kind === 'week' ? 'end of week' : 'date'}
          </label>
        ))}
        <input type="number" aria-label="week" data-testid="week" className="week"
          min={1} step={1} value={week} disabled={when !== 'week'}
          onChange={(e) => setWeek(e.target.value)} />
        <input type="date" aria-label="date" data-testid="date" value={date}
          disabled={when !== 'date'} onChange={(e) => setDate(e.target.value)} />
      </div>

      <button type="submit" data-testid="score" className="primary"
        disabled={props.disabled || props.busy || !model}>
        {props.busy ? 'Scoring…' : 'Score'}
      </button>
    </form>
  );
}
