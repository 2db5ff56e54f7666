#!/usr/bin/env node
// A second client implementation for the record-http tests: the official TypeScript SDK client.
// usage: node node_client_check.mjs <url> <http|sse>
// Connects, lists tools, calls echo, ends the session (Streamable HTTP: DELETE), prints one JSON line.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, kind] = process.argv.slice(2);
const transport = kind === "sse" ? new SSEClientTransport(new URL(url)) : new StreamableHTTPClientTransport(new URL(url));
const client = new Client({ name: "node-check", version: "1.0" });
const timer = setTimeout(() => { console.error("node_client_check: timed out"); process.exit(3); }, 20000);
await client.connect(transport);
const tools = await client.listTools();
const echo = await client.callTool({ name: "echo", arguments: { message: "from node" } });
if (kind !== "sse") await transport.terminateSession();
await client.close();
clearTimeout(timer);
console.log(JSON.stringify({ tools: tools.tools.length, echo: echo.content[0].text, sessionId: transport.sessionId ?? null }));
