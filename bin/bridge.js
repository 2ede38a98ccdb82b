#!/usr/bin/env node
// The `bridge` command: see launch.js.
import { launch } from './launch.js';

await launch('bridge', './bridge.ts');
