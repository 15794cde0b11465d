// @ts-check
/**
 * `npm run bench [-- --quick]`: size, throughput, client cost, fan-out, reconnect storm and browser
 * figures for this SDK beside the peers or a bare baseline, measured side by side in one run.
 * Prints one table and writes bench/results/latest.json. Asserts no time: these are figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { browserBench } from './browser.mjs';
import { clientCostBench } from './client-cost.mjs';
import { fanoutBench } from './fanout.mjs';
import { sizeBench, sizeBreakdown } from './size.mjs';
import { stormBench } from './storm.mjs';
import { throughputBench } from './throughput.mjs';

const quick = process.argv.includes('--quick');
const N = quick
  ? { roundTrips: 10_000, costIterations: 20_000, fanout: 200, storm: 100, browser: 2_000 }
  : { roundTrips: 100_000, costIterations: 200_000, fanout: 1_000, storm: 500, browser: 20_000 };
const GOALS = { gzipBytes: 4096, throughputRatio: 0.9, costRatio: 1.3 };

const started = Date.now();
const step = (/** @type {string} */ name) => process.stderr.write(`bench: ${name}…\n`);
step('size');
const size = await sizeBench();
const breakdown = await sizeBreakdown();
step(`throughput (${N.roundTrips} round trips each)`);
const throughput = await throughputBench(N.roundTrips);
step('client cost');
const cost = clientCostBench(N.costIterations);
step(`fan-out (${N.fanout} clients)`);
const fanout = await fanoutBench(N.fanout);
step(`reconnect storm (${N.storm} clients, twice)`);
const storm = await stormBench(N.storm);
step(`browser (${N.browser} messages)`);
const browser = await browserBench(N.browser);

const ours = size[0];
const met = (/** @type {boolean} */ ok) => (ok ? 'met' : 'NOT met');
const f = (/** @type {number} */ n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const lines = [];
lines.push(`## Benchmark ${quick ? '(--quick) ' : ''}— node ${process.version}, ${new Date().toISOString()}`, '');
lines.push('### Size (bytes)', '', '| bundle | minified | gzip -9 | brotli -q 11 |', '| --- | ---: | ---: | ---: |');
for (const r of size) lines.push(`| ${r.name} | ${f(r.min)} | ${f(r.gzip)} | ${f(r.brotli)} |`);
lines.push('', `Goal: our whole SDK ≤ ${f(GOALS.gzipBytes)} bytes gzip — ${met(ours.gzip <= GOALS.gzipBytes)} (${f(ours.gzip)}).`);
lines.push(`Largest parts before minification: ${breakdown.slice(0, 5).map((p) => `${p.module} ${f(p.bytes)}`).join(', ')}.`, '');
lines.push('### Speed', '', '| measure | this SDK | baseline | ratio | goal |', '| --- | ---: | ---: | ---: | --- |');
lines.push(`| echo round trips/s, Node + ws (${f(throughput.roundTrips)} each) | ${f(throughput.sdkPerSecond)} | ${f(throughput.rawPerSecond)} (raw ws) | ${f(throughput.ratio, 2)} | ≥ ${GOALS.throughputRatio}: ${met(throughput.ratio >= GOALS.throughputRatio)} |`);
lines.push(`| client cost per message, encode+decode+dispatch (ns) | ${f(cost.sdkNs)} | ${f(cost.bareNs)} (JSON.stringify+parse) | ${f(cost.ratio, 2)} | ≤ ${GOALS.costRatio}: ${met(cost.ratio <= GOALS.costRatio)} |`);
if ('messages' in browser) {
  lines.push(`| Chromium main-thread time per message (µs, ${f(browser.messages)} messages) | ${f(browser.sdkUsPerMessage, 1)} | ${f(browser.bareUsPerMessage, 1)} (bare WebSocket) | ${f(browser.ratio, 2)} | — |`);
} else {
  lines.push(`| Chromium main-thread time per message | skipped: ${browser.skipped} | | | |`);
}
lines.push('', '### Fan-out and reconnect storm', '');
lines.push(`- One HTTP broadcast to ${f(fanout.clients)} SDK clients (${fanout.broadcasts} broadcasts): delivery latency p50 ${f(fanout.p50Ms, 1)} ms, p99 ${f(fanout.p99Ms, 1)} ms; server memory per idle connection ${f(fanout.bytesPerIdleConnection)} bytes.`);
lines.push(`- ${f(storm.clients)} clients, server restarted: with full jitter all back in ${f(storm.jittered.allBackMs)} ms, peak ${storm.jittered.peak} attempts per 100 ms (${storm.jittered.attempts} attempts); with a fixed 1 s delay all back in ${f(storm.fixed.allBackMs)} ms, peak ${storm.fixed.peak} attempts per 100 ms (${storm.fixed.attempts} attempts).`);
lines.push('', `(${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(lines.join('\n'));

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const results = { quick, node: process.version, date: new Date().toISOString(), goals: GOALS, size, breakdown, throughput, cost, fanout, storm, browser };
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(results, null, 2));
process.exit(0);
