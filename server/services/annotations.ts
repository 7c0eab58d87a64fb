/**
 * Annotations over any store: the references a note names (machine, series,
 * run) must exist, and a note on a run without a time takes the run's start.
 *
 * @example
 * const notes = createAnnotationService(store);
 * await notes.create({ text: 'kernel upgrade', runId }, Date.now());
 */
import type { Store } from '../store/core/store.ts';
import type { Annotation, AnnotationFilter, AnnotationInput } from '../store/core/types.ts';
import { DomainError } from './errors.ts';

export interface AnnotationService {
  list(filter: AnnotationFilter): Promise<Annotation[]>;
  get(id: number): Promise<Annotation | null>;
  create(input: AnnotationInput, now: number): Promise<Annotation>;
  update(id: number, patch: Partial<AnnotationInput>, now: number): Promise<Annotation>;
  delete(id: number): Promise<boolean>;
}

export function createAnnotationService(store: Store): AnnotationService {
  /** Checks the references of a note and finds its run; unknown ones are the caller's mistake. */
  const refs = async (input: Partial<AnnotationInput>) => {
    if (input.machineId != null && !(await store.machines.get(input.machineId))) {
      throw new DomainError('invalid', `no machine ${input.machineId}`);
    }
    if (input.seriesId != null && !(await store.series.get(input.seriesId))) {
      throw new DomainError('invalid', `no series ${input.seriesId}`);
    }
    if (input.runId === undefined) return { runPk: undefined, at: undefined };
    if (input.runId === null) return { runPk: null, at: undefined };
    const run = await store.runs.find(input.runId);
    if (!run) throw new DomainError('invalid', `no run ${input.runId}`);
    return { runPk: run.pk, at: run.startedAt };
  };
  const must = async (id: number) => (await store.annotations.get(id)) ?? notFound(`no annotation ${id}`);

  return {
    list: (filter) => store.annotations.list(filter),
    get: (id) => store.annotations.get(id),

    async create(input, now) {
      const found = await refs(input);
      const at = input.at ?? found.at;
      if (at === undefined) throw new DomainError('invalid', 'an annotation needs a time (at) or a run (runId)');
      const id = await store.annotations.create(
        {
          at,
          text: input.text,
          machineId: input.machineId ?? null,
          seriesId: input.seriesId ?? null,
          runPk: found.runPk ?? null,
        },
        now,
      );
      return must(id);
    },

    async update(id, patch, now) {
      const found = await refs(patch);
      const done = await store.annotations.update(
        id,
        { at: patch.at, text: patch.text, machineId: patch.machineId, seriesId: patch.seriesId, runPk: found.runPk },
        now,
      );
      if (!done) notFound(`no annotation ${id}`);
      return must(id);
    },

    delete: (id) => store.annotations.delete(id),
  };
}

function notFound(message: string): never {
  throw new DomainError('not-found', message);
}
