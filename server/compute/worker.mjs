// A pool thread: registers tsx (as cli/bin.mjs does) so the TypeScript task runs as it is.
import { register } from 'tsx/esm/api';

register();
const { default: compareTask } = await import('./compare-task.ts');
export default compareTask;
