/**
 * drizzle-kit configuration for the server's database. Regenerate the
 * migrations after changing server/store/sqlite/schema.ts:
 *   npx drizzle-kit generate
 * The server applies the `drizzle/` folder at start-up (server/store/sqlite/open.ts).
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './server/store/sqlite/schema.ts',
  out: './drizzle',
  dbCredentials: { url: process.env.GILBENCH_DB ?? './gilbench.db' },
});
