/** The API tests (app.test.ts), unchanged, on PostgreSQL: a database of the run's private cluster per app. */
import { useTestBackend } from './store/test-backend.ts';

useTestBackend('postgres');
await import('./app.test.ts');
