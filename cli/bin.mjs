#!/usr/bin/env node
// The `gilbench` executable: registers tsx so the TypeScript sources run as
// they are (no build step), then hands over to the commander program.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
