// The TypeScript MCP SDK as a second client implementation for `agent-trace mcp`.
// Usage: node mcp-client.mjs <java> <classpath> <trace-dir>
// Records one session through `agent-trace record` (SdkTestServer behind it), then starts
// `agent-trace mcp` over the same store and calls every tool. The SDK validates each structured
// result against the tool's declared outputSchema (callTool throws when it does not match).
// Prints one JSON object with what came back; the JUnit test asserts on it.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [java, cp, traceDir] = process.argv.slice(2);
const jvm = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp];

async function connect(args) {
  const transport = new StdioClientTransport({ command: java, args: [...jvm, ...args], stderr: "pipe" });
  const stderr = [];
  transport.stderr?.on("data", (d) => stderr.push(String(d)));
  const client = new Client({ name: "node-e2e", version: "1.0.0" });
  await client.connect(transport);
  return { client, stderr };
}

// 1. a session recorded through the proxy by this client
{
  const { client } = await connect(["dev.agenttrace.cli.Main", "record", "--trace-dir", traceDir, "--name", "node-recorded", "--",
    java, ...jvm, "dev.agenttrace.tests.peers.SdkTestServer"]);
  await client.callTool({ name: "echo", arguments: { text: "from node" } });
  await client.callTool({ name: "fail", arguments: {} });
  await client.close();
}

// 2. the debugging server over the fixtures plus that session
const { client, stderr } = await connect(["dev.agenttrace.cli.Main", "mcp", "--trace-dir", traceDir]);
const out = { tools: [], results: {} };
out.tools = (await client.listTools()).tools.map((t) => ({ name: t.name, hasOutputSchema: !!t.outputSchema })).sort((a, b) => a.name.localeCompare(b.name));

async function call(key, name, args) {
  try {
    const r = await client.callTool({ name, arguments: args });
    out.results[key] = { isError: !!r.isError, structured: r.structuredContent ?? null, text: r.content?.[0]?.text ?? "" };
  } catch (e) {
    out.results[key] = { thrown: String(e && e.message || e) };
  }
}

// the recorder may still be finishing its meta: wait until the session is listed as ended
for (let i = 0; i < 100; i++) {
  await call("list", "list_sessions", { limit: 50, agent: "node-recorded" });
  const s = out.results.list.structured?.sessions?.[0];
  if (s && s.ended) break;
  await new Promise((r) => setTimeout(r, 100));
}
await call("all", "list_sessions", { limit: 50 });
const recorded = out.results.list.structured?.sessions?.[0]?.session_id;
out.recorded = recorded;
await call("get", "get_session", { session_id: recorded, event_types: ["tool_call", "tool_result"] });
await call("search_env", "search_events", { file_path: ".env" });
await call("search_errors", "search_events", { has_error: true, session_id: recorded });
await call("search_text", "search_events", { query: "from node" });
await call("summary", "get_session_summary", { session_id: "7f3e" });
await call("diff", "diff_sessions", { session_a: "7f3e", session_b: recorded });
await call("missing", "get_session", { session_id: "nope" });
await call("ambiguous_diff", "diff_sessions", { session_a: "7f3e", session_b: "zzz" });
await client.close();
out.stderr = stderr.join("");
console.log(JSON.stringify(out));
