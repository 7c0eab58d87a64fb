/**
 * Annotations in SQLite (the run is kept by its internal key, shown by its id).
 * @example const id = await store.annotations.create({ at, text, machineId: null, seriesId: null, runPk: null }, now);
 */
import { and, asc, desc, eq, gte, lte, type SQL, sql } from 'drizzle-orm';
import type { AnnotationStore } from '../core/annotations.ts';
import type { Annotation, AnnotationFilter, AnnotationRecordInput } from '../core/types.ts';
import type { SqliteDb } from './db.ts';
import { annotationView } from './rows.ts';
import { annotations, runs } from './schema.ts';

export class SqliteAnnotations implements AnnotationStore {
  constructor(readonly db: SqliteDb) {}

  async list(filter: AnnotationFilter): Promise<Annotation[]> {
    const where: SQL[] = [];
    if (filter.machine !== undefined) where.push(eq(annotations.machineId, filter.machine));
    if (filter.series !== undefined) where.push(eq(annotations.seriesId, filter.series));
    if (filter.run !== undefined) where.push(eq(runs.id, filter.run));
    if (filter.from !== undefined) where.push(gte(annotations.at, filter.from));
    if (filter.to !== undefined) where.push(lte(annotations.at, filter.to));
    const rows = this.db.orm
      .select({ a: annotations, runId: runs.id })
      .from(annotations)
      .leftJoin(runs, eq(runs.pk, annotations.runPk))
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(annotations.at), desc(annotations.id))
      .limit(filter.limit ?? 1000)
      .all();
    return rows.map(({ a, runId }) => annotationView(a, runId));
  }

  async forSeries(info: { id: number; machineId: number }, from: number, to: number): Promise<Annotation[]> {
    const rows = this.db.orm
      .select({ a: annotations, runId: runs.id })
      .from(annotations)
      .leftJoin(runs, eq(runs.pk, annotations.runPk))
      .where(
        and(
          gte(annotations.at, from),
          lte(annotations.at, to),
          sql`(${annotations.seriesId} = ${info.id} OR (${annotations.seriesId} IS NULL AND (${annotations.machineId} = ${info.machineId} OR ${annotations.machineId} IS NULL)))`,
        ),
      )
      .orderBy(asc(annotations.at))
      .all();
    return rows.map(({ a, runId }) => annotationView(a, runId));
  }

  async get(id: number): Promise<Annotation | null> {
    const row = this.db.orm
      .select({ a: annotations, runId: runs.id })
      .from(annotations)
      .leftJoin(runs, eq(runs.pk, annotations.runPk))
      .where(eq(annotations.id, id))
      .get();
    return row ? annotationView(row.a, row.runId) : null;
  }

  async create(input: AnnotationRecordInput, now: number): Promise<number> {
    const row = this.db.orm
      .insert(annotations)
      .values({ ...input, createdAt: now, updatedAt: now })
      .returning({ id: annotations.id })
      .get();
    return row.id;
  }

  async update(id: number, patch: Partial<AnnotationRecordInput>, now: number): Promise<boolean> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    return (
      this.db.orm
        .update(annotations)
        .set({ ...set, updatedAt: now })
        .where(eq(annotations.id, id))
        .run().changes > 0
    );
  }

  async delete(id: number): Promise<boolean> {
    return this.db.orm.delete(annotations).where(eq(annotations.id, id)).run().changes > 0;
  }
}
