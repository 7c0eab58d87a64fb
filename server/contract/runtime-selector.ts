/**
 * The runtime a job or schedule asks for, checked with the harness's own
 * rule, so a selector the agent could not read is a 400 when the job is made,
 * not a failed job later.
 *
 * @example JobBody.parse({ suites: ['calls'], modes: ['gil', 'nogil'], runtime: '3.13.15' });
 */
import { z } from 'zod';
import { RUNTIME_SELECTOR_FORMS, readRuntimeSelector } from '../../harness/runtimes/selector.ts';

export const RuntimeSelector = z
  .string()
  .min(1)
  .max(100)
  .refine((text) => readRuntimeSelector(text) !== null, `not a runtime selector; give ${RUNTIME_SELECTOR_FORMS}`)
  .describe('which installed runtime: a version (3.13.15, 3.13), a runtime id (cpython-3.13.15t) or newest');
