#!/usr/bin/env node
// The `gameye-emulator` command: see launch.js.
import { launch } from './launch.js';

await launch('gameye-emulator', './gameye-emulator.ts');
