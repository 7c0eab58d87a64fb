/** The agent end-to-end tests (e2e.test.ts), unchanged, against a server on PostgreSQL. */
import { useE2eBackend } from './e2e-backend.ts';

useE2eBackend('postgres');
await import('./e2e.test.ts');
