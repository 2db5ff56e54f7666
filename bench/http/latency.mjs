#!/usr/bin/env node
// Sequential MCP HTTP latency, the project's own driver: the official TypeScript SDK client
// (tests/npm, pinned) calls tools/call echo one call at a time through each path in turn: the
// server directly, and each hop in front of it (e.g. a raw TCP relay and record-http), in one run.
// ROUNDS rounds, the order rotated each round (A B C, B C A, ...), a new client and session per
// path per round, WARMUP calls not counted, every echo checked. Reports per path the medians over
// rounds of p50/p99, and what each hop adds as the median over rounds of (hop − direct in the same
// round), which cancels the machine's drift between rounds; and proxy − relay the same way.
// Last line: one summary line that bench/http/run reads.
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const HELP = `usage: node latency.mjs --path direct=URL [--path NAME=URL ...] [options]
  --path NAME=URL     a path to measure; the first is the direct one (repeat for each hop)
  --transport T       http (Streamable HTTP) | sse (legacy HTTP+SSE)   [http]
  --n N               measured sequential calls per path and round     [2000]
  --warmup N          calls not counted, first, in each session        [500]
  --rounds R          rounds                                           [3]
  --payload-bytes B   echo text size                                   [100]
  --timeout-ms MS     per call (and connect)                           [30000]
  --arg-name NAME     echo argument                                    [message]
  --expect-prefix S   what the server puts before the echoed text      ["Echo: "]
  --label L           first word of the summary line                   [http-<transport>]
  --sdk DIR           @modelcontextprotocol/sdk directory              [tests/npm/node_modules/@modelcontextprotocol/sdk]`;

const o = { paths: [], label: undefined, transport: "http", n: 2000, warmup: 500, rounds: 3, payloadBytes: 100, timeoutMs: 30000,
  argName: "message", expectPrefix: "Echo: ",
  sdk: join(process.env.NPM_PEERS || "tests/npm", "node_modules/@modelcontextprotocol/sdk") };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "-h" || a === "--help") { console.log(HELP); process.exit(0); }
  if (!a.startsWith("--") || i + 1 >= argv.length) { console.error(`latency.mjs: bad argument '${a}'\n${HELP}`); process.exit(2); }
  const k = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  const v = argv[++i];
  if (k === "path") {
    const eq = v.indexOf("=");
    if (eq < 1) { console.error(`latency.mjs: --path '${v}' is not NAME=URL`); process.exit(2); }
    o.paths.push([v.slice(0, eq), v.slice(eq + 1)]);
  } else if (["n", "warmup", "rounds", "payloadBytes", "timeoutMs"].includes(k)) {
    o[k] = Number(v);
    if (!Number.isInteger(o[k]) || o[k] < 0) { console.error(`latency.mjs: --${a.slice(2)} '${v}' is not a whole number`); process.exit(2); }
  } else if (Object.hasOwn(o, k)) o[k] = v;
  else { console.error(`latency.mjs: unknown option ${a}\n${HELP}`); process.exit(2); }
}
if (!o.paths.length) { console.error(HELP); process.exit(2); }
o.label ??= `http-${o.transport}`;

const imp = (p) => import(pathToFileURL(join(o.sdk, "dist/esm", p)).href);
const sdk = { ...(await imp("client/index.js")), ...(await imp("client/sse.js")), ...(await imp("client/streamableHttp.js")) };
// undici adds an abort listener per fetch to the SDK's shared signal: Node's MaxListeners warnings
// would be printed thousands of times, inside the timed loop
process.removeAllListeners("warning");
process.on("warning", () => {});

const pct = (xs, q) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN;
};
const text = (i, size) => (`${String(i).padStart(8, "0")}:` + "abcdefghijklmnopqrstuvwxyz0123456789".repeat(Math.ceil(size / 36) + 1)).slice(0, Math.max(size, 9));
const within = (p, ms, what) => {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
};

async function session(url) {
  const r = { lat: [], mismatches: 0, done: 0 };
  const client = new sdk.Client({ name: "agent-trace-latency-bench", version: "1.0" });
  const transport = o.transport === "sse" ? new sdk.SSEClientTransport(new URL(url)) : new sdk.StreamableHTTPClientTransport(new URL(url));
  try {
    await within(client.connect(transport, { timeout: o.timeoutMs }), o.timeoutMs, "connect");
    for (let i = 0; i < o.warmup + o.n; i++) {
      const t = text(i, o.payloadBytes);
      const t0 = process.hrtime.bigint();
      const res = await client.callTool({ name: "echo", arguments: { [o.argName]: t } }, undefined, { timeout: o.timeoutMs });
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      if (res?.content?.[0]?.text !== o.expectPrefix + t) r.mismatches++;
      if (i >= o.warmup) r.lat.push(us);
      r.done++;
    }
  } catch (e) {
    r.error = String(e?.message ?? e).slice(0, 200);
  }
  r.mismatches += o.warmup + o.n - r.done;   // calls that never completed count as mismatches
  await within(client.close(), 3000, "close").catch(() => {});
  return { p50: pct(r.lat, 0.5), p99: pct(r.lat, 0.99), max: r.lat.length ? Math.max(...r.lat) : NaN, mismatches: r.mismatches, error: r.error };
}

const names = o.paths.map(([n]) => n);
const runs = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < Math.min(o.rounds, 50); round++) {
  for (let k = 0; k < o.paths.length; k++) {
    const [name, url] = o.paths[(round + k) % o.paths.length];
    const r = await session(url);
    runs[name].push(r);
    console.log(`round ${round + 1} ${name.padEnd(7)}: p50=${r.p50.toFixed(1)}us p99=${r.p99.toFixed(1)}us max=${r.max.toFixed(1)}us mismatches=${r.mismatches}`
      + (r.error ? ` error="${r.error}"` : ""));
  }
}
const f = (v) => (Number.isFinite(v) ? v.toFixed(0) : "n/a");
const paired = (a, b, k) => median(runs[a].map((x, i) => x[k] - runs[b][i][k]));
const direct = names[0];
let line = `${o.label} direct_p50_us=${f(median(runs[direct].map((x) => x.p50)))} direct_p99_us=${f(median(runs[direct].map((x) => x.p99)))}`;
for (const k of ["p50", "p99"]) {
  line += ` added_${k}_us` + names.slice(1).map((n) => ` ${n}=${f(paired(n, direct, k))}`).join("");
}
if (runs.relay && runs.proxy) line += ` proxy_over_relay_p50_us=${f(paired("proxy", "relay", "p50"))} proxy_over_relay_p99_us=${f(paired("proxy", "relay", "p99"))}`;
line += ` mismatches=${names.map((n) => runs[n].reduce((s, x) => s + x.mismatches, 0)).join("/")} (${names.join("/")})`;
console.log(`\n${"path".padEnd(8)}${"p50 µs".padStart(10)}${"p99 µs".padStart(10)}${"+p50".padStart(8)}${"+p99".padStart(8)}`);
for (const n of names) {
  console.log(`${n.padEnd(8)}${f(median(runs[n].map((x) => x.p50))).padStart(10)}${f(median(runs[n].map((x) => x.p99))).padStart(10)}`
    + (n === direct ? "" : `${f(paired(n, direct, "p50")).padStart(8)}${f(paired(n, direct, "p99")).padStart(8)}`));
}
console.log(line);
process.exit(0);
