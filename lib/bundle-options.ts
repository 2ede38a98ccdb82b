/**
 * How the functions are bundled and where their entry points are. The construct's
 * NodejsFunction, `tools/bundle/function-bundle.ts` (the benchmark and the bundle tests) all
 * read these, so what is measured and tested is what ships.
 */
/** Lambda entry points, relative to the project root, and their exported handler. */
export const FUNCTION_ENTRIES = {
  placement: 'lambdas/handlers/placement.ts',
  reaper: 'lambdas/handlers/reaper.ts',
  handler: 'handler',
} as const;

/**
 * How the functions are bundled. The construct and `bench/bundle-size.bench.ts` both read
 * this, so the benchmark measures what ships.
 */
export const BUNDLE_OPTIONS = {
  target: 'node24',
  platform: 'node',
  format: 'esm',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  /** ESM output has no `require`; CommonJS dependencies bundled into it still call it. */
  banner:
    "import { createRequire as __bridgeCreateRequire } from 'node:module'; const require = __bridgeCreateRequire(import.meta.url);",
  /**
   * undici's own switch for bundled builds (Node core's build sets it too): it drops the
   * experimental Milo HTTP parser, ~150 KB of WebAssembly the client never uses, and keeps
   * llhttp, the parser Node itself ships.
   */
  define: { esbuildDetection: '"bundled"' } as Readonly<Record<string, string>>,
  /**
   * `import … from 'node:http'` in ESM (the AWS SDK does) makes Node copy every export of the
   * module, and three of them (WebSocket, CloseEvent, MessageEvent) are getters that load
   * Node's own copy of undici and fetch: about 15 ms of cold start for classes the functions
   * never use. Aliased to a CommonJS re-export, the bundle reads the same module through
   * `require`, which copies nothing. Paths are relative to the project root.
   */
  alias: {
    http: 'lambdas/runtime/node-http.cjs',
    'node:http': 'lambdas/runtime/node-http.cjs',
  } as Readonly<Record<string, string>>,
  /** The Node 24 Lambda runtime ships AWS SDK v3, but bundling pins the version we tested. */
  external: [] as readonly string[],
  /**
   * Source maps name files and lines, without a copy of every source: Node parses the map
   * at cold start (`--enable-source-maps`), and the sources would triple its size.
   */
  sourcesContent: false,
  /** Set on both functions: stack traces in the logs point at the TypeScript sources. */
  nodeOptions: '--enable-source-maps',
} as const;
