/**
 * Annotations: human notes pinned to a time, a machine, a series or a run
 * ("kernel upgrade", "switched to 3.14").
 *
 * @example
 * AnnotationBody.parse({ text: 'kernel upgrade', machineId: 1 });
 */
import { z } from 'zod';
import { id, limit, Millis, RowId, runId, time } from './common.ts';

export const AnnotationsQuery = z.object({
  machine: id.optional(),
  series: id.optional(),
  run: runId.optional(),
  from: time.optional(),
  to: time.optional(),
  limit: limit(5000, 1000),
});

const annotationFields = {
  at: time.optional(),
  text: z.string().min(1).max(4000),
  machineId: id.nullable().optional(),
  seriesId: id.nullable().optional(),
  runId: runId.nullable().optional(),
};
export const AnnotationBody = z.object(annotationFields);
export const AnnotationPatch = z
  .object(annotationFields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');

export const Annotation = z.object({
  id: RowId,
  at: Millis,
  text: z.string(),
  machineId: RowId.nullable(),
  seriesId: RowId.nullable(),
  runId: runId.nullable(),
  createdAt: Millis,
  updatedAt: Millis,
});
export type Annotation = z.infer<typeof Annotation>;

export const AnnotationsResponse = z.object({ annotations: z.array(Annotation) });
export const AnnotationResponse = z.object({ annotation: Annotation });
