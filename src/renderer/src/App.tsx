import { useCallback, useEffect, useState } from 'react';
import type {
  Client, EnrolmentSummary, ModelCard, ScoreResult,
} from '../../shared/contract';
import { toAppError, type AppError } from '../../shared/errors';
import { EnrolmentList } from './components/EnrolmentList';
import { ErrorNotice } from './components/ErrorNotice';
import { ScoreCard } from './components/ScoreCard';
import { ScoreForm, type ScoreRequest } from './components/ScoreForm';
import { StudentLookup } from './components/StudentLookup';

interface Lookup {
  student: string;
  enrolments: EnrolmentSummary[];
}

/**
 * The minimal window: find a student, choose the enrolment, choose a model and a moment, read
 * the score. Every engine call goes through `client`, the contract's caller side.
 */
export function App({ client }: { client: Client }) {
  const [models, setModels] = useState<ModelCard[] | null>(null);
  const [lookup, setLookup] = useState<Lookup | null>(null);
  const [presentation, setPresentation] = useState<string>();
  const [result, setResult] = useState<ScoreResult | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<'find' | 'score' | null>(null);

  useEffect(() => {
    client.listModels({}).then((r) => setModels(r.models), (e: unknown) => {
      setModels([]);
      setError(toAppError(e));
    });
  }, [client]);

  const find = useCallback(async (student: string) => {
    setBusy('find');
    setError(null);
    setResult(null);
    try {
      const { enrolments } = await client.findStudents({ student });
      setLookup({ student, enrolments });
      setPresentation(enrolments.length === 1 ? enrolments[0]!.presentation : undefined);
    } catch (e) {
      setLookup(null);
      setError(toAppError(e));
    } finally {
      setBusy(null);
    }
  }, [client]);

  const score = useCallback(async (request: ScoreRequest) => {
    if (!lookup || !presentation) return;
    setBusy('score');
    setError(null);
    try {
      setResult(await client.score({ ...request, student: lookup.student, presentation }));
    } catch (e) {
      setResult(null);
      setError(toAppError(e));
    } finally {
      setBusy(null);
    }
  }, [client, lookup, presentation]);

  return (
    <main>
      <header>
        <h1>Edutech Analyst</h1>
        <p className="muted">Score a student&apos;s enrolment now, at the end of a week, or as of a
          date.</p>
      </header>

      {error && <ErrorNotice error={error} onDismiss={() => setError(null)} />}

      <section className="card">
        <h2>1 · Student</h2>
        <StudentLookup busy={busy === 'find'} onFind={find} />
        {lookup && (
          <EnrolmentList student={lookup.student} enrolments={lookup.enrolments}
            chosen={presentation} onChoose={(p) => {
              setPresentation(p);
              setResult(null);
            }} />
        )}
      </section>

      <section className="card">
        <h2>2 · Score</h2>
        <ScoreForm models={models} busy={busy === 'score'} onScore={score}
          disabled={!presentation} />
        {!presentation && <p className="muted small">Look a student up and choose a presentation
          first.</p>}
      </section>

      {result && <ScoreCard result={result} />}
    </main>
  );
}
