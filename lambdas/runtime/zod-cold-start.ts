/**
 * Imported first by both Lambda entry points. zod compiles a fast parser for each object schema
 * (with `new Function`) the first time it parses with it; in a function that lives for a few
 * hundred messages, compiling costs more than it saves: `node bench/bundle-size.bench.ts`
 * measured about 18 ms of the placement function's cold start and 12 ms of the reaper's. The
 * interpreted parser validates exactly the same.
 */
import { config } from 'zod';

config({ jitless: true });
