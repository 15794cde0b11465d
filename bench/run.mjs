// @ts-check
/**
 * `npm run bench [-- --quick]`: size, throughput, client cost, browser, fan-out and reconnect
 * storm figures for this SDK beside the peers or a bare baseline, measured side by side in one run.
 * Prints one table and writes bench/results/latest.json. Asserts no time: these are figures. A
 * measurement that fails is shown as failed in the table and makes the exit code 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { browserBench } from './browser.mjs';
import { clientCostBench } from './client-cost.mjs';
import { fanoutBench } from './fanout.mjs';
import { routingBench, slowReaderBench } from './server-cost.mjs';
import { sizeBench, sizeBreakdown } from './size.mjs';
import { stormBench } from './storm.mjs';
import { throughputBench } from './throughput.mjs';

const quick = process.argv.includes('--quick');
const N = quick
  ? { roundTrips: 10_000, costIterations: 20_000, fanout: 200, storm: 100, browser: 5_000 }
  : { roundTrips: 100_000, costIterations: 200_000, fanout: 1_000, storm: 500, browser: 20_000 };
const GOALS = { gzipBytes: 4096, throughputRatio: 0.9, costRatio: 1.3 };

const started = Date.now();
/** @type {Record<string, string>} */
const failures = {};
/**
 * Runs one measurement; a failure is recorded (and printed in the table) instead of ending the run.
 * @template T
 * @param {string} name @param {() => Promise<T> | T} fn
 * @returns {Promise<T | undefined>}
 */
async function step(name, fn) {
  const t = Date.now();
  process.stderr.write(`bench: ${name}…`);
  try {
    const result = await fn();
    process.stderr.write(` ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (err) {
    process.stderr.write(` FAILED\n${/** @type {Error} */ (err)?.stack ?? err}\n`);
    failures[name.split(' ')[0]] = String(/** @type {Error} */ (err)?.message ?? err);
    return undefined;
  }
}

const size = await step('size', () => sizeBench());
const breakdown = await step('size-breakdown', () => sizeBreakdown());
const throughput = await step(`throughput (${N.roundTrips} round trips each)`, () => throughputBench(N.roundTrips));
const cost = await step(`cost (${N.costIterations} iterations per run)`, () => clientCostBench(N.costIterations));
const browser = await step(`browser (${N.browser} messages)`, () => browserBench(N.browser));
const fanout = await step(`fan-out (${N.fanout} clients)`, () => fanoutBench(N.fanout));
const storm = await step(`storm (${N.storm} clients, three policies)`, () => stormBench(N.storm));
const routing = await step('routing (1000 connections)', () => routingBench({ iterations: quick ? 400 : 2000 }));
const slowReader = await step('slow-reader (two clients that never read)', () => slowReaderBench());

const f = (/** @type {number} */ n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n));
const met = (/** @type {boolean} */ ok) => (ok ? 'met' : '**NOT met**');
const sizes = (/** @type {{ min: number, gzip: number, brotli: number }} */ r) => `${f(r.min)} / ${f(r.gzip)} / ${f(r.brotli)}`;
/** @type {string[][]} */
const rows = [];
const row = (/** @type {string[]} */ ...cells) => rows.push(cells);
const failed = (/** @type {string} */ key, /** @type {string} */ what) => row(key, what, `failed: ${failures[key] ?? 'no result'}`, '', '', '');

// Size: ours first, then each peer bundled here the same way.
if (size) {
  const [whole, sameEntry, ...peers] = size;
  row('size', 'dist/webconnection-websocket.min.js, whole API: min / gzip -9 / brotli 11 (bytes)', sizes(whole), '', '', `gzip ≤ ${f(GOALS.gzipBytes)}: ${met(whole.gzip <= GOALS.gzipBytes)}`);
  row('size', 'this SDK from an entry that creates a client, bundled like the peers', sizes(sameEntry), '', '', '');
  for (const p of peers) row('size', `peer: ${p.name}`, '', sizes(p), `${f(sameEntry.gzip / p.gzip, 2)}× gzip`, '');
} else failed('size', 'bundle sizes');
if (throughput) {
  row('throughput', `echo round trips/s, Node + ws, ${f(throughput.roundTrips)} each in ${throughput.rounds} alternating rounds, ${throughput.window} in flight`, f(throughput.sdkPerSecond), `${f(throughput.rawPerSecond)} (raw ws, same envelopes)`, f(throughput.ratio, 2), `≥ ${GOALS.throughputRatio}: ${met(throughput.ratio >= GOALS.throughputRatio)}`);
} else failed('throughput', 'echo round trips/s');
if (cost) {
  row('cost', `client cost per message: build + encode + decode + dispatch (ns), median of ${cost.runs}`, f(cost.sdkNs), `${f(cost.bareNs)} (JSON.stringify + JSON.parse)`, f(cost.ratio, 2), `≤ ${GOALS.costRatio}: ${met(cost.ratio <= GOALS.costRatio)}`);
} else failed('cost', 'client cost per message');
if (browser && 'messages' in browser) {
  row('browser', `Chromium main-thread time per message, CDP TaskDuration (µs, ${f(browser.messages)} pushed messages)`, f(browser.sdk.taskUs, 1), `${f(browser.bare.taskUs, 1)} (bare WebSocket + JSON.parse)`, f(browser.ratio, 2), '');
  row('browser', 'Chromium script time per message, CDP ScriptDuration (µs)', f(browser.sdk.scriptUs, 1), f(browser.bare.scriptUs, 1), f(browser.sdk.scriptUs / browser.bare.scriptUs, 2), '');
  row('browser', 'Chromium time inside WebSocket message listeners per message, performance.now (µs)', f(browser.sdk.listenerUs, 1), f(browser.bare.listenerUs, 1), f(browser.listenerRatio, 2), '');
} else if (browser) row('browser', 'Chromium time per message', `skipped: ${browser.skipped}`, '', '', '');
else failed('browser', 'Chromium time per message');
if (fanout) {
  row('fan-out', `one HTTP broadcast to ${f(fanout.clients)} SDK clients: delivery latency p50 / p99 (ms, ${fanout.broadcasts} broadcasts pooled)`, `${f(fanout.p50Ms, 1)} / ${f(fanout.p99Ms, 1)}`, '', '', '');
  row('fan-out', `test server memory per idle connection, heap + external${fanout.gcExposed ? ' after GC' : ''} (bytes)`, f(fanout.bytesPerIdleConnection), '', '', '');
} else failed('fan-out', 'broadcast latency and memory');
if (storm) {
  const s = storm;
  row('storm', `${f(s.clients)} clients, server restarted (${s.downMs} ms down): all open again after (ms)`, `${f(s.jittered.allBackMs)} (full jitter)`, `${f(s.fixed.allBackMs)} (fixed 1 s); ${f(s.perPageBase.allBackMs)} (per-page base)`, '', '');
  row('storm', 'reconnect attempts: peak per 100 ms (total)', `${s.jittered.peak} (${s.jittered.attempts})`, `${s.fixed.peak} (${s.fixed.attempts}); ${s.perPageBase.peak} (${s.perPageBase.attempts})`, `${f(s.jittered.peak / s.fixed.peak, 2)} of fixed`, '');
} else failed('storm', 'reconnect storm');
if (routing) {
  row('routing', `test server CPU to route one frame, ${f(routing.connections)} connections: 100 recipients matching nobody (µs, median of 5)`, `${f(routing.indexedNoMatchUs, 1)} (indexes)`, `${f(routing.linearNoMatchUs, 1)} (linear scan, before issue 10)`, f(routing.indexedNoMatchUs / routing.linearNoMatchUs, 2), '');
  row('routing', 'the same with delivery: one user / 100 named users / a group of 100 (µs)', `${f(routing.oneUserUs, 1)} / ${f(routing.hundredUsersUs)} / ${f(routing.groupOf100Us)}`, '', '', '');
} else failed('routing', 'test server routing cost');
if (slowReader) {
  const MiB = (/** @type {number} */ b) => f(b / 1048576, 1);
  const mem = (/** @type {{ before: { heapAndExternal: number }, after: { heapAndExternal: number } }} */ r) => `${MiB(r.before.heapAndExternal)} → ${MiB(r.after.heapAndExternal)}`;
  row('slow reader', `test server heap + external after GC (MiB): 60 KB binary echoes to a client that never reads (closed with 1013 after ${f(slowReader.binaryEcho.framesSent)} frames)`, mem(slowReader.binaryEcho), '', '', '');
  row('slow reader', `the same: ${f(slowReader.flood.framesSent)} frames past the rate limit, replies never read`, mem(slowReader.flood), '', '', '');
} else failed('slow-reader', 'test server memory under a slow reader');

const header = ['row', 'measure', 'this SDK', 'baseline / peer', 'ratio', 'goal'];
const lines = [
  `## Benchmark${quick ? ' (--quick)' : ''}: node ${process.version}${browser && 'chromium' in browser ? `, ${browser.chromium}` : ''}, ${new Date().toISOString()}`,
  '',
  `| ${header.join(' | ')} |`,
  '| --- | --- | ---: | ---: | ---: | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
];
if (breakdown) {
  const top = breakdown.slice(0, 6).map((p) => `${p.module} ${f(p.bytes)}${p.gzip ? ` (≈${f(p.gzip)} gzip alone)` : ''}`);
  lines.push(`Largest modules in dist/webconnection-websocket.min.js, rendered bytes before minification: ${top.join(', ')}.`);
}
lines.push(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(lines.join('\n'));

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const results = { quick, node: process.version, date: new Date().toISOString(), counts: N, goals: GOALS, size, breakdown, throughput, cost, browser, fanout, storm, routing, slowReader, failures };
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
process.exit(Object.keys(failures).length ? 1 : 0);
