/**
 * The checks of an uploaded run document, done in a pool thread so the event
 * loop never parses or validates a run: the JSON text in, either the
 * document with the detector's point of each result, or the answer that
 * refuses it, worded as the app's validator words it (400 for malformed JSON,
 * a schema issue, a nesting too deep or a broken reference; 413 for a run
 * over its limits; 422 for a name that would mislead a reader).
 *
 * @example
 * const checked = checkUpload(new TextEncoder().encode(text).buffer);
 * if (!checked.ok) return c.json({ error: checked.error, detail: checked.detail }, checked.status);
 */
import type { RunDocument } from '../../harness/schema.ts';
import { unsafeNameIn } from '../contract/names.ts';
import { parseRunDocument, runDocumentProblems, runOverLimit } from '../contract/run-document.ts';
import type { SeriesPoint } from '../detector/detector.ts';
import { describeIssues, MAX_BODY_DEPTH, nestedDeeperThan } from '../http/body-checks.ts';
import { pointsOf } from '../services/ingest.ts';

export type UploadCheck =
  | { ok: true; doc: RunDocument; points: Array<SeriesPoint | null> }
  | { ok: false; status: 400 | 413 | 422; error: 'bad-request' | 'invalid' | 'too-large'; detail: string };

/** A pool task: the body's bytes in (UTF-8, checked by the app; moved here, not copied), an `UploadCheck` out. */
export function checkUpload(bytes: ArrayBuffer): UploadCheck {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { ok: false, status: 400, error: 'bad-request', detail: 'Malformed JSON in request body' };
  }
  const parsed = parseRunDocument(value);
  if (!parsed.success)
    return { ok: false, status: 400, error: 'invalid', detail: describeIssues('body', parsed.error.issues) };
  const doc = parsed.data;
  if (nestedDeeperThan(doc, MAX_BODY_DEPTH)) {
    return {
      ok: false,
      status: 400,
      error: 'invalid',
      detail: `body: arrays and objects nested deeper than ${MAX_BODY_DEPTH} levels`,
    };
  }
  const unsafeName = unsafeNameIn(doc);
  if (unsafeName) return { ok: false, status: 422, error: 'invalid', detail: unsafeName };
  const over = runOverLimit(doc);
  if (over) return { ok: false, status: 413, error: 'too-large', detail: over };
  const problems = runDocumentProblems(doc);
  if (problems.length) return { ok: false, status: 400, error: 'invalid', detail: problems.join('; ') };
  return { ok: true, doc, points: pointsOf(doc) };
}
