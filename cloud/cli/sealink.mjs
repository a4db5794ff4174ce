#!/usr/bin/env node
// The `sealink` executable: runs the TypeScript CLI through tsx (Node 20).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
