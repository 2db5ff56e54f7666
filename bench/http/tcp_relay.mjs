#!/usr/bin/env node
// The floor: a raw-bytes TCP relay (no HTTP parsing, no recording) on 127.0.0.1, one upstream
// connection per client connection. What one extra process hop costs on this machine, measured
// in the same run as record-http (as bench/stdio RawRelay is for stdio).
import net from "node:net";

const HELP = "usage: node tcp_relay.mjs LISTEN_PORT UPSTREAM_PORT";
const [listen, upstream] = process.argv.slice(2).map(Number);
if (!listen || !upstream) { console.error(HELP); process.exit(2); }
net.createServer({ noDelay: true }, (client) => {
  const up = net.connect({ host: "127.0.0.1", port: upstream, noDelay: true });
  client.pipe(up);
  up.pipe(client);
  client.on("error", () => up.destroy());
  up.on("error", () => client.destroy());
  client.on("close", () => up.destroy());
  up.on("close", () => client.destroy());
}).listen(listen, "127.0.0.1");
