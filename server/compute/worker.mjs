// A pool thread: registers tsx (as cli/bin.mjs does) so the TypeScript tasks run as they are.
import { register } from 'tsx/esm/api';

register();
const { default: compareTask } = await import('./compare-task.ts');
const { checkUpload: checkUploadTask } = await import('./upload-task.ts');
const { detectChanges: detectChangesTask } = await import('./detect-task.ts');
export default compareTask;
export const checkUpload = checkUploadTask;
export const detectChanges = detectChangesTask;
