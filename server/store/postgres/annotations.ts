/**
 * Human notes in PostgreSQL (see core/annotations.ts).
 * @example const id = await new PgAnnotations(db).create({ at, text, machineId: null, seriesId: null, runPk: null }, now);
 */
import type { AnnotationStore } from '../core/annotations.ts';
import type { Annotation, AnnotationFilter, AnnotationRecordInput } from '../core/types.ts';
import type { Queryable } from './db.ts';
import { ANNOTATION_SELECT, annotationView } from './rows.ts';

const FIELDS: Array<[keyof AnnotationRecordInput, string]> = [
  ['at', 'at'],
  ['text', 'text'],
  ['machineId', 'machine_id'],
  ['seriesId', 'series_id'],
  ['runPk', 'run_pk'],
];

export class PgAnnotations implements AnnotationStore {
  constructor(readonly db: Queryable) {}

  async list(filter: AnnotationFilter): Promise<Annotation[]> {
    const rows = await this.db.rows(
      `${ANNOTATION_SELECT}
       WHERE ($1::int IS NULL OR a.machine_id = $1) AND ($2::int IS NULL OR a.series_id = $2)
         AND ($3::text IS NULL OR ru.id = $3) AND ($4::bigint IS NULL OR a.at >= $4) AND ($5::bigint IS NULL OR a.at <= $5)
       ORDER BY a.at DESC, a.id DESC LIMIT $6`,
      [
        filter.machine ?? null,
        filter.series ?? null,
        filter.run ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.limit ?? 1000,
      ],
    );
    return rows.map(annotationView);
  }

  async forSeries(series: { id: number; machineId: number }, from: number, to: number): Promise<Annotation[]> {
    const rows = await this.db.rows(
      `${ANNOTATION_SELECT}
       WHERE a.at >= $3 AND a.at <= $4
         AND (a.series_id = $1 OR (a.series_id IS NULL AND (a.machine_id = $2 OR a.machine_id IS NULL)))
       ORDER BY a.at, a.id`,
      [series.id, series.machineId, from, to],
    );
    return rows.map(annotationView);
  }

  async get(id: number): Promise<Annotation | null> {
    const row = await this.db.one(`${ANNOTATION_SELECT} WHERE a.id = $1`, [id]);
    return row ? annotationView(row) : null;
  }

  async create(input: AnnotationRecordInput, now: number): Promise<number> {
    const row = await this.db.one<{ id: number }>(
      `INSERT INTO annotations (at, text, machine_id, series_id, run_pk, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
      [input.at, input.text, input.machineId, input.seriesId, input.runPk, now],
    );
    return row!.id;
  }

  async update(id: number, patch: Partial<AnnotationRecordInput>, now: number): Promise<boolean> {
    const sets = ['updated_at = $2'];
    const values: unknown[] = [id, now];
    for (const [key, column] of FIELDS) {
      if (patch[key] === undefined) continue;
      values.push(patch[key]);
      sets.push(`${column} = $${values.length}`);
    }
    return (await this.db.run(`UPDATE annotations SET ${sets.join(', ')} WHERE id = $1`, values)) > 0;
  }

  async delete(id: number): Promise<boolean> {
    return (await this.db.run('DELETE FROM annotations WHERE id = $1', [id])) > 0;
  }
}
