// node:http, re-exported through CommonJS for the Lambda bundles: see BUNDLE_OPTIONS.alias in
// lib/bundle-options.ts for why. getBuiltinModule, not require, so the alias that points
// here cannot point this file at itself.
module.exports = process.getBuiltinModule('node:http');
