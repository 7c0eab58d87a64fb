// The store's thread: registers tsx (as cli/bin.mjs does) so the TypeScript store runs as it is.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
