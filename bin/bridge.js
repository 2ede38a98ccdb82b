#!/usr/bin/env node
// The `bridge` command. Node runs its TypeScript source, but not from inside node_modules: the
// published package ships the CDK construct only, so an installed copy says where to run it.
if (import.meta.dirname.split(/[\\/]/).includes('node_modules')) {
  console.error('bridge: run it from a clone of the gameye-match-bridge repository (npx bridge there).');
  process.exit(1);
}
await import('./bridge.ts');
