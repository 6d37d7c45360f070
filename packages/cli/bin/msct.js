#!/usr/bin/env node
// The `msct` command as a bin of the workspace: `npx msct <command>` after `npm ci` (issue #22
// "Accounts"). The CLI is TypeScript, run through tsx's loader like `npm run msct`.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
