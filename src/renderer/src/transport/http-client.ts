import { operationNames, type Client, type OperationName } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';

/**
 * The contract over HTTP, for the window served by `edutech serve`: each operation is a POST to
 * `/api/<name>`, and a failure's `{ code, message, details }` body is rebuilt into the same
 * AppError the Electron preload throws, so the window handles both transports alike.
 */
export function createHttpClient(base = '', fetchFn: typeof fetch = fetch): Client {
  const call = async (name: OperationName, input: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetchFn(`${base}/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch (error) {
      throw new AppError('INTERNAL', `the Edutech Analyst server cannot be reached `
        + `(${(error as Error).message})`, { operation: name });
    }

    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new AppError('INTERNAL', `the server answered ${response.status} without JSON`,
        { operation: name, status: response.status });
    }
    if (!response.ok) throw AppError.fromWire(body);
    return body;
  };

  return Object.fromEntries(operationNames.map((name) =>
    [name, (input: unknown) => call(name, input)])) as Client;
}
