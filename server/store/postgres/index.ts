/**
 * The PostgreSQL backend. Built on its own branch (`pg`); until it is merged
 * this placeholder makes `--db postgres://…` fail with one clear line.
 *
 * @example const store = await openPostgresStore('postgres://gilbench@127.0.0.1/gilbench');
 */
import { redact, type Store, StoreOpenError } from '../core/store.ts';

export async function openPostgresStore(url: string): Promise<Store> {
  throw new StoreOpenError(`cannot open ${redact(url)}: the PostgreSQL backend is not built into this gilbench yet`);
}
