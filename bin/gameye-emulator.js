#!/usr/bin/env node
// The `gameye-emulator` command's launcher. Node runs the TypeScript sources directly, but not from
// inside node_modules, where an installed copy of this package lives: there, say where the
// command works instead of failing with a type-stripping error. (The package ships the CDK
// construct; the CLI and the emulator run from a clone of the repository.)
import path from 'node:path';

if (import.meta.dirname.split(path.sep).includes('node_modules')) {
  console.error(
    'gameye-emulator: this command runs from a clone of the gameye-match-bridge repository (npx gameye-emulator there); ' +
      'the installed package provides the CDK construct only.',
  );
  process.exit(1);
}
await import('./gameye-emulator.ts');
