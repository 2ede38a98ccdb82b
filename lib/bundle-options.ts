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
  /**
   * Left out of the bundle. Everything else is bundled: the Node 24 Lambda runtime ships AWS
   * SDK v3, but bundling pins the version we tested and loads faster.
   */
  external: [
    /**
     * undici's llhttp parser comes as WebAssembly twice, with and without SIMD (72 KB each);
     * `lib/dispatcher/client-h1.js` compiles `../llhttp/llhttp_simd-wasm.js` and requires
     * `../llhttp/llhttp-wasm.js` only if that fails. Node 24 on Lambda (arm64 and x86_64)
     * runs WASM SIMD, so the fallback is left out: this pattern matches the require as
     * written (esbuild aliases cannot name relative paths). Where SIMD is missing, the first
     * Gameye call fails with "Cannot find module '../llhttp/llhttp-wasm.js'".
     * `test/infra/bridge-bundling.test.ts` fails if an undici upgrade moves either file.
     */
    '*/llhttp/llhttp-wasm.js',
    /**
     * undici's FormData support (its fetch body, FormData and WebIDL modules, about 36 KB
     * minified with what they pull in). `lib/core/request.js` and `lib/dispatcher/client-h1.js`
     * require them lazily, only for a FormData request body, and the Gameye client sends JSON
     * or nothing. Left out, the bundle loads and runs as before; a FormData body would fail
     * with "Cannot find module '../web/webidl'". The patterns match the requires as written.
     * `test/integration/function-bundles.test.ts` runs the bundles, so an undici upgrade that
     * loads these at import fails there.
     */
    '*/web/fetch/body.js',
    '*/web/fetch/formdata',
    '*/web/webidl',
    /**
     * Credential providers Lambda never reaches: it puts the role's credentials in the
     * environment, the first link of the SDK's default chain. These (with the SSO, STS and
     * sign-in clients they load) are imported dynamically, only when that link finds nothing;
     * should it ever happen, the runtime's own SDK v3 answers the import (Lambda's Node
     * runtimes search NODE_PATH, where that SDK is, for ES module imports too).
     */
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
  ] as readonly string[],
  /**
   * Source maps name files and lines, without a copy of every source: Node parses the map
   * at cold start (`--enable-source-maps`), and the sources would triple its size.
   */
  sourcesContent: false,
  /**
   * Set on both functions when `sourceMapsAtRuntime` is on: stack traces in the logs point at
   * the TypeScript sources.
   */
  nodeOptions: '--enable-source-maps',
  /**
   * The construct's default for `sourceMapsAtRuntime`. Off: `--enable-source-maps` makes Node
   * parse the map at every cold start, which costs more than the bundle's own import saves
   * (`node bench/bundle-size.bench.ts` measures both settings).
   */
  sourceMapsAtRuntime: false,
} as const;
