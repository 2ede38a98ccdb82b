// Starts one of the package's commands from its TypeScript source. Node runs TypeScript
// directly, but not from inside node_modules, where an installed copy of this package lives:
// there, say where the command works instead of failing with a type-stripping error. (The
// package ships the CDK construct; the CLI and the emulator run from a clone of the repository.)
import path from 'node:path';

/** Runs `source` (relative to bin/) as command `name`, or explains why it cannot run here. */
export async function launch(name, source) {
  if (import.meta.dirname.split(path.sep).includes('node_modules')) {
    console.error(
      `${name}: this command runs from a clone of the gameye-match-bridge repository (npx ${name} there); ` +
        'the installed package provides the CDK construct only.',
    );
    process.exit(1);
  }
  await import(new URL(source, import.meta.url).href);
}
