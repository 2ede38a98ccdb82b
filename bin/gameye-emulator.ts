#!/usr/bin/env node
/**
 * `gameye-emulator`: serve the local Gameye Session API emulator until SIGINT/SIGTERM.
 * Prints its URL, its bearer token and the images it offers, so a developer can point the
 * bridge (or curl) at it.
 */
import { parseArgs } from 'node:util';
import {
  type EmulatorConfig,
  EmulatorConfigError,
  loadEmulatorConfig,
  startEmulator,
} from '../tools/gameye-emulator/index.ts';

const USAGE = `Usage: gameye-emulator [--port P] [--host H] [--config FILE] [--token T]

Serve a local emulator of the Gameye Session API (v1.2.1, as Gameye's OpenAPI
description documents it).

  --port P       port to listen on (0 picks a free one)   default 8787
  --host H       address to bind                          default 127.0.0.1
  --config FILE  JSON config (regions, images, tokens, faults, ...)
                 default tools/gameye-emulator/default-config.json
  --token T      bearer token with every scope            default random
  --help         show this help
`;

function describeImages(config: EmulatorConfig): string[] {
  return config.images.map((image) => {
    const tags = [...new Set(Object.values(image.tags).flat())].sort();
    const ports = image.ports.map((p) => `${p.container}/${p.type}`).join(', ');
    return `  ${image.name}  tags ${tags.join(', ')} (default ${image.defaultTag})  ports ${ports}  regions ${Object.keys(image.tags).join(', ')}`;
  });
}

async function main(): Promise<number> {
  let values: { port?: string; host?: string; config?: string; token?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        config: { type: 'string', short: 'c' },
        token: { type: 'string', short: 't' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port: expected an integer between 0 and 65535, got "${values.port}"\n`);
    return 2;
  }
  let config: EmulatorConfig | undefined;
  if (values.config !== undefined) {
    try {
      config = loadEmulatorConfig(values.config);
    } catch (error) {
      if (error instanceof EmulatorConfigError) {
        process.stderr.write(`${error.message}\n`);
        return 2;
      }
      throw error;
    }
  }
  const emulator = await startEmulator({
    port,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(config === undefined ? {} : { config }),
    ...(values.token === undefined ? {} : { token: values.token }),
  });
  const lines = [
    `Gameye emulator listening on ${emulator.url}`,
    `token: ${emulator.token}`,
    ...emulator.config.tokens.map((t) => `token: ${t.token} (scopes ${t.scopes?.join(' ') ?? 'all'})`),
    `regions: ${emulator.config.regions.map((r) => `${r.name} (${r.capacity})`).join(', ')}`,
    'images:',
    ...describeImages(emulator.config),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
  return 0;
}

process.exitCode = await main();
