import { AppError } from '../../shared/errors';
import { wholeNumber } from './whole-number';

/** `--port` of `serve` and `metrics`: a whole number 0..65535 (0: any free port). */
export function listenPort(value: string): number {
  const port = wholeNumber(value, '--port');
  if (port < 0 || port > 65535) {
    throw new AppError('BAD_INPUT', `--port must be a whole number 0..65535, not "${value}"`);
  }
  return port;
}

/** `--host` of `serve` and `metrics`. Node reads an empty host as "every interface": refused. */
export function listenHost(value: string): string {
  if (value.trim() === '') {
    throw new AppError('BAD_INPUT', '--host is empty: name an address (0.0.0.0 listens on '
      + 'every interface, without authentication)');
  }
  return value;
}
