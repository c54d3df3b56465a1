import type { AppError } from '../../../shared/errors';

/** A failure as the user needs it: the stable code (to search or report) and the message. */
export function ErrorNotice({ error, onDismiss }: { error: AppError; onDismiss: () => void }) {
  return (
    <div className="notice notice-error" role="alert" data-testid="error">
      <span className="code" data-testid="error-code">{error.code}</span>
      <span className="message" data-testid="error-message">{error.message}</span>
      <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
