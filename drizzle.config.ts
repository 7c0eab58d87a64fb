/**
 * drizzle-kit configuration for the server's two databases, chosen by
 * `GILBENCH_DIALECT` (sqlite unless told). Regenerate the migrations after
 * changing a schema:
 *   npx drizzle-kit generate                               # SQLite: server/store/sqlite/schema.ts -> drizzle/
 *   GILBENCH_DIALECT=postgresql npx drizzle-kit generate   # PostgreSQL: server/store/postgres/schema.ts -> its migrations/
 * Each server applies its own folder at start-up.
 */
import { defineConfig } from 'drizzle-kit';

const dialect = process.env.GILBENCH_DIALECT ?? 'sqlite';
if (dialect !== 'sqlite' && dialect !== 'postgresql') {
  throw new Error(`GILBENCH_DIALECT must be sqlite or postgresql, not ${JSON.stringify(dialect)}`);
}

export default dialect === 'postgresql'
  ? defineConfig({
      dialect: 'postgresql',
      schema: './server/store/postgres/schema.ts',
      out: './server/store/postgres/migrations',
      dbCredentials: { url: process.env.GILBENCH_DATABASE_URL ?? 'postgres://localhost/gilbench' },
    })
  : defineConfig({
      dialect: 'sqlite',
      schema: './server/store/sqlite/schema.ts',
      out: './drizzle',
      dbCredentials: { url: process.env.GILBENCH_DB ?? './gilbench.db' },
    });
