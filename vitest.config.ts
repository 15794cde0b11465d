import { defineConfig } from 'vitest/config';
import { reconnectingWebSocketFromSource } from './rollup.config.mjs';

export default defineConfig({
  // reconnecting-websocket as the build bundles it: from its source, trimmed (see rollup.config.mjs).
  plugins: [{ ...reconnectingWebSocketFromSource(), enforce: 'pre' }],
  test: {
    // Not loaded by Node as an external dependency: through the plugin above.
    server: { deps: { inline: ['reconnecting-websocket'] } },
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Type-level tests (*.test-d.ts) are checked by tsc, not run: a failed expectation is a type error.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    // Integration and browser tests start real servers and browsers: give them room,
    // but every test still bounds its own waits.
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
