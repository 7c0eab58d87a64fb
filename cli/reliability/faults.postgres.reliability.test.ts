/** The faults test (faults.reliability.test.ts), unchanged, with the server on PostgreSQL. */
import { useReliabilityBackend } from '../../server/reliability/backend.ts';

useReliabilityBackend('postgres');
await import('./faults.reliability.test.ts');
