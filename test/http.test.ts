import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationNames } from '../src/shared/contract';
import { ERROR_CODES } from '../src/shared/errors';
import {
  copyOuladDb, haveModel, ouladWithoutClicks, post, startTestServer, tempDir, type TestServer,
} from './helpers/http';
import { haveShared, readOuladCsv } from './helpers/shared';

const present = haveShared();
const MODEL = 'project_2411_clf';
const modelReady = haveModel(MODEL);
if (present && !modelReady) {
  console.warn(`skipping the HTTP score cases: models/${MODEL}.onnx is not there yet`);
}

/** Reads an NDJSON response line by line; `stopAfter` lines, then the connection is dropped. */
async function readLines(response: Response, stopAfter = Infinity): Promise<any[]> {
  const lines: any[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, end)));
      buffer = buffer.slice(end + 1);
      if (lines.length >= stopAfter) return lines;
    }
  }
  return lines;
}

describe.skipIf(!present)('the HTTP API over a real engine and the real OULAD store', () => {
  const tmp = tempDir('edutech-http-');
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(copyOuladDb(tmp.dir));
  });
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  it('documents every contract operation in /openapi.json, with its error statuses', async () => {
    // An OpenAPI document, walked by path below.
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    for (const name of operationNames) {
      expect(doc.paths[`/api/${name}`]?.post?.operationId).toBe(name);
    }
    const score = doc.paths['/api/score'].post;
    expect(score.requestBody.content['application/json'].schema.required)
      .toEqual(['model', 'student']);
    expect(score.responses['400'].description).toMatch(/BAD_WEEK/);
    expect(score.responses['404'].description).toMatch(/UNKNOWN_STUDENT/);
    expect(Object.keys(doc.paths['/api/importData'].post.responses['200'].content))
      .toEqual(['application/json', 'application/x-ndjson']);
    // Unknown fields are refused (see the next tests), and the document says so.
    for (const name of operationNames) {
      expect(doc.paths[`/api/${name}`].post.requestBody.content['application/json'].schema
        .additionalProperties, name).toBe(false);
    }

    const docs = await fetch(`${server.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('finds the real enrolment of a student, as studentInfo.csv lists it', async () => {
    const info = readOuladCsv('studentInfo.csv').find((r) => r.id_student === '11391')!;
    const reg = readOuladCsv('studentRegistration.csv').find((r) => r.id_student === '11391')!;
    const r = await post(server.url, 'findStudents', { student: '11391' });
    expect(r.status).toBe(200);
    expect(r.body.enrolments).toEqual([{
      student: 11391,
      presentation: `${info.code_module}-${info.code_presentation}`,
      startDate: '2013-10-01',
      lengthDays: 268,
      registrationDay: Number(reg.date_registration),
      unregistrationDay: null,
      finalResult: info.final_result,
      hasActivity: true,
    }]);
  });

  it('answers a malformed request with 400 BAD_INPUT in the contract error shape', async () => {
    const notDigits = await post(server.url, 'findStudents', { student: '12ab' });
    expect(notDigits.status).toBe(400);
    expect(notDigits.body)
      .toMatchObject({ code: 'BAD_INPUT', details: { operation: 'findStudents' } });
    expect(notDigits.body.message).toMatch(/student/);

    const badJson = await fetch(`${server.url}/api/findStudents`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"student":',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { code: string }).code).toBe('BAD_INPUT');

    const asText = await fetch(`${server.url}/api/findStudents`, {
      method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"student":11391}',
    });
    expect(asText.status).toBe(400);
    expect(await asText.json()).toMatchObject({ code: 'BAD_INPUT', message: 'the body must be '
      + 'a JSON object sent as application/json, not text/plain' });
    for (const [body, what] of [['"11391"', 'a JSON string'], ['11391', 'a JSON number'],
      ['[11391]', 'an array'], ['null', 'null']]) {
      const notObject = await fetch(`${server.url}/api/findStudents`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body,
      });
      expect(notObject.status).toBe(400);
      expect(await notObject.json()).toMatchObject({ code: 'BAD_INPUT', message: 'the body must '
        + `be a JSON object ({ … }), not ${what}` });
    }
    // JSON's 1e400 parses as Infinity, which JSON.stringify would print as null.
    const huge = await fetch(`${server.url}/api/findStudents`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"student":1e400}',
    });
    expect(((await huge.json()) as { message: string }).message).toMatch(/, not Infinity$/);

    const unknown = await post(server.url, 'dropTables', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.details.operations).toEqual(operationNames);

    // Refused by the framework before routing: the same error shape all the same.
    const badUrl = await post(server.url, '%ff', {});
    expect(badUrl.status).toBe(400);
    expect(badUrl.body).toMatchObject({ code: 'BAD_INPUT',
      message: expect.stringContaining('%ff') });
  });

  it('says what a backfill\'s students must be: "all" or a list of ids', async () => {
    const one = await post(server.url, 'backfill', { model: MODEL, students: 11391 });
    expect(one.status).toBe(400);
    expect(one.body.message).toContain(
      'students: "all" or a list of student ids, e.g. [11391], not 11391');
    const badId = await post(server.url, 'backfill', { model: MODEL, students: [11391, 'x'] });
    expect(badId.status).toBe(400);
    expect(badId.body.message).toContain(
      'students: item 1: a student id is a whole number of digits, e.g. 11391, not "x"');
  });

  // Before fields were checked, each of these ran: the first scored every presentation of the
  // student, the second backfilled to the default week 10, the third evaluated weeks 1..10.
  const misspelled: [string, string, Record<string, unknown>][] = [
    ['backfill', 'presnetations', { model: MODEL, students: [252652],
      presnetations: ['BBB-2013J'], toWeek: 1 }],
    ['backfill', 'to_week', { model: MODEL, students: [252652], to_week: 2 }],
    ['evaluateModel', 'week', { model: MODEL, presentation: 'AAA-2013J', week: [5] }],
    ['findStudents', 'limt', { student: 11391, limt: 5 }],
    ['exportFeatures', 'day', { out: path.join(tmp.dir, 'never.csv'), day: [6] }],
  ];
  it.each(misspelled)('answers %s with a misspelled field "%s" with 400 BAD_INPUT naming it',
    async (name, field, body) => {
      const r = await post(server.url, name, body);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'BAD_INPUT', details: { operation: name } });
      expect(r.body.message).toContain(`"${field}"`);
      expect(await server.engine.outcomes.at(-1)).toEqual({ op: name, code: 'BAD_INPUT' });
    });

  it('refuses an unknown field in every operation through engine.call, as over IPC', async () => {
    for (const name of operationNames) {
      const error = await server.engine.call(name, { zzUnknown: 1 }).catch((e: unknown) => e);
      expect(error, name).toMatchObject({ code: 'BAD_INPUT',
        message: expect.stringContaining('Unrecognized key: "zzUnknown"') });
    }
    expect(fs.existsSync(path.join(tmp.dir, 'never.csv'))).toBe(false);
  });

  it('refuses requests addressed to a foreign host name (DNS rebinding)', async () => {
    const { port } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/api/health',
        headers: { host: `attacker.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(421);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it.skipIf(!modelReady)('scores over HTTP exactly as the engine does', async () => {
    const input = { model: MODEL, student: 11391, week: 6 };
    const r = await post(server.url, 'score', input);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(await server.engine.call('score', input));
    expect(r.body).toMatchObject({ presentation: 'AAA-2013J', asOfDay: 41, basis: 'week' });
  });

  it.skipIf(!modelReady)('answers a week outside the presentation with 400 BAD_WEEK', async () => {
    const r = await post(server.url, 'score', { model: MODEL, student: 11391, week: 99 });
    expect(r.status).toBe(ERROR_CODES.BAD_WEEK.status);
    expect(r.body).toMatchObject({ code: 'BAD_WEEK', details: { week: 99, weeks: 39 } });
  });

  it.skipIf(!modelReady)('answers an unknown student with 404 UNKNOWN_STUDENT', async () => {
    const r = await post(server.url, 'score', { model: MODEL, student: 99999999 });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: 'UNKNOWN_STUDENT', details: { student: 99999999 } });
  });
});

describe.skipIf(!present)('long jobs over HTTP: NDJSON progress and cancellation', () => {
  const tmp = tempDir('edutech-http-jobs-');
  let folder: string;
  const servers: TestServer[] = [];
  const fresh = async (name: string) => {
    const server = await startTestServer(`${tmp.dir}/${name}.db`);
    servers.push(server);
    return server;
  };

  beforeAll(() => {
    folder = ouladWithoutClicks(tmp.dir);
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    tmp.remove();
  });

  const ndjson = (url: string, signal?: AbortSignal) => fetch(`${url}/api/importData`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify({ format: 'oulad', folder }),
    signal,
  });

  it('streams one progress line per file, then the result', async () => {
    const server = await fresh('streamed');
    const response = await ndjson(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = await readLines(response);

    const files = ['courses', 'assessments', 'vle', 'studentRegistration', 'studentInfo',
      'studentAssessment'];
    expect(lines.slice(0, -1)).toEqual(files.map((f) => ({ type: 'progress',
      event: { file: `${f}.csv`, rows: readOuladCsv(`${f}.csv`).length } })));
    const last = lines.at(-1);
    expect(last.type).toBe('result');
    expect(last.value.presentations).toBe(22);
    expect(last.value.tables).toContainEqual({ table: 'enrolments', rows: 32593 });

    const found = await post(server.url, 'findStudents', { student: 11391 });
    expect(found.body.enrolments[0].hasActivity).toBe(false);
  });

  const importFrom = (url: string, from: string) => fetch(`${url}/api/importData`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify({ format: 'oulad', folder: from }),
  });

  it('answers a job that fails before any progress with its status, as JSON', async () => {
    const server = await fresh('failing-early');
    const response = await importFrom(server.url, `${tmp.dir}/no-such-folder`);
    expect(response.status).toBe(ERROR_CODES.IMPORT_FAILED.status);
    expect(await response.json()).toEqual({ code: 'IMPORT_FAILED',
      message: expect.stringMatching(/does not exist/),
      details: { folder: `${tmp.dir}/no-such-folder` } });
  });

  it('reports a job that fails after progress began in-band, as its last line', async () => {
    const server = await fresh('failing-late');
    // The six real tables, then a click file whose only row names a site vle.csv lacks.
    const broken = path.join(tmp.dir, 'broken');
    fs.mkdirSync(broken);
    for (const f of fs.readdirSync(folder)) {
      fs.symlinkSync(fs.realpathSync(path.join(folder, f)), path.join(broken, f));
    }
    fs.writeFileSync(path.join(broken, 'studentVle_zz.csv'),
      '"code_module","code_presentation","id_student","id_site","date","sum_click"\r\n'
      + '"AAA","2013J","11391","1","1","1"\r\n');
    const response = await importFrom(server.url, broken);
    expect(response.status).toBe(200);
    const lines = await readLines(response);
    expect(lines.slice(0, -1).every((l) => l.type === 'progress')).toBe(true);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.at(-1)).toMatchObject({ type: 'error', error: { code: 'IMPORT_FAILED',
      message: expect.stringMatching(/studentVle_zz\.csv, line 2: site 1 is not in vle\.csv/) } });
  });

  it('stopping the server cancels its running jobs instead of waiting for them', async () => {
    const server = await startTestServer(`${tmp.dir}/stopping.db`);
    const response = await ndjson(server.url);
    const reader = response.body!.getReader();
    await reader.read(); // the first progress line: the import is running
    const started = performance.now();
    await server.close();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    const last = JSON.parse(rest.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'error', error: { code: 'CANCELLED' } });
    expect(await server.engine.outcomes[0]).toEqual({ op: 'importData', code: 'CANCELLED' });
    expect(performance.now() - started).toBeLessThan(5000);
    await server.engine.close();
  });

  it('cancels the job when the client goes away, leaving the store as it was', async () => {
    const server = await fresh('cancelled');
    const controller = new AbortController();
    const response = await ndjson(server.url, controller.signal);
    const first = await readLines(response, 1);
    expect(first[0]).toMatchObject({ type: 'progress', event: { file: 'courses.csv' } });
    controller.abort();

    const outcome = await server.engine.outcomes[0];
    expect(outcome).toEqual({ op: 'importData', code: 'CANCELLED' });
    const after = await post(server.url, 'findStudents', { student: 11391 });
    expect(after.status).toBe(ERROR_CODES.EMPTY_STORE.status);
    expect(after.body.code).toBe('EMPTY_STORE');
  });
});
