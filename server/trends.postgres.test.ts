/** The trends route's tests (trends.test.ts), unchanged, on PostgreSQL. */
import { useTestBackend } from './store/test-backend.ts';

useTestBackend('postgres');
await import('./trends.test.ts');
