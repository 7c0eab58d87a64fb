/** The lock test (lock.test.ts), unchanged, on PostgreSQL: another connection holds an EXCLUSIVE lock on runs. */
import { useTestBackend } from '../store/test-backend.ts';

useTestBackend('postgres');
await import('./lock.test.ts');
