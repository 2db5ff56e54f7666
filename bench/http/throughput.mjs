#!/usr/bin/env node
// Concurrent MCP HTTP load: C clients of the official TypeScript SDK, each with its own session,
// call tools/call echo as fast as they can for a fixed number of calls; direct vs proxied, after a
// warm-up pair that is not counted, in alternating order (A B, B A, ...). Prints calls/s per run,
// the ratio of the medians, and the median of the per-round ratios (paired_ratio: each round's
// proxy run against the direct run beside it, which cancels slow drifts of the machine's speed);
// every echo is checked.
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const HELP = `usage: node throughput.mjs --url URL --proxy-url URL [--transport http|sse] [--clients 32] [--calls 200] [--rounds 3] [--timeout-ms 60000] [--sdk DIR]`;
// generous timeouts: 32 clients connecting at once on a loaded 2-core machine took more than 10 s
const o = { transport: "http", clients: 32, calls: 200, rounds: 3, timeoutMs: 60000, sdk: join(process.env.NPM_PEERS || "tests/npm", "node_modules/@modelcontextprotocol/sdk") };
const a = process.argv.slice(2);
for (let i = 0; i < a.length; i++) {
  if (a[i] === "-h" || a[i] === "--help") { console.log(HELP); process.exit(0); }
  const k = a[i].slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  o[k] = ["clients", "calls", "rounds", "timeoutMs"].includes(k) ? Number(a[++i]) : a[++i];
}
if (!o.url || !o.proxyUrl) { console.error(HELP); process.exit(2); }
const imp = (p) => import(pathToFileURL(join(o.sdk, "dist/esm", p)).href);
const sdk = { ...(await imp("client/index.js")), ...(await imp("client/sse.js")), ...(await imp("client/streamableHttp.js")) };
process.removeAllListeners("warning");
process.on("warning", () => {});

async function oneClient(url, id) {
  const client = new sdk.Client({ name: `tp-${id}`, version: "1.0" });
  const t = o.transport === "sse" ? new sdk.SSEClientTransport(new URL(url)) : new sdk.StreamableHTTPClientTransport(new URL(url));
  await client.connect(t, { timeout: o.timeoutMs });
  return client;
}

async function run(url) {
  const clients = await Promise.all(Array.from({ length: o.clients }, (_, i) => oneClient(url, i)));
  let mismatches = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(clients.map(async (c, ci) => {
    for (let i = 0; i < o.calls; i++) {
      const text = `c${ci}-${i}-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789`;
      const r = await c.callTool({ name: "echo", arguments: { message: text } }, undefined, { timeout: o.timeoutMs });
      if (r?.content?.[0]?.text !== "Echo: " + text) mismatches++;
    }
  }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  return { rate: (o.clients * o.calls) / secs, mismatches };
}

const median = (xs) => { const s = [...xs].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const res = { direct: [], proxy: [] };
let mm = { direct: 0, proxy: 0 };
// round 0 warms both paths up in this process (the client's own JIT made the first direct run
// the slowest of all) and is not counted; then the order alternates (A B, B A, ...) so that a
// drift of the machine's speed during a round pair lands on both sides
for (let r = 0; r <= o.rounds; r++) {
  const order = r % 2 ? [["direct", o.url], ["proxy", o.proxyUrl]] : [["proxy", o.proxyUrl], ["direct", o.url]];
  for (const [side, url] of order) {
    const x = await run(url);
    mm[side] += x.mismatches;
    if (r > 0) res[side].push(x.rate);
    console.log(`round ${r}${r ? "" : " (warm-up)"} ${side.padEnd(6)}: ${x.rate.toFixed(0)} calls/s mismatches=${x.mismatches}`);
  }
}
const d = median(res.direct), p = median(res.proxy);
const paired = res.proxy.map((x, i) => x / res.direct[i]);
console.log(`${o.transport} clients=${o.clients} throughput direct=${d.toFixed(0)}/s proxy=${p.toFixed(0)}/s ratio=${(p / d).toFixed(2)} paired_ratio=${median(paired).toFixed(2)} paired=${paired.map((x) => x.toFixed(2)).join(",")} mismatches=${mm.direct}/${mm.proxy}`);
process.exit(0);
