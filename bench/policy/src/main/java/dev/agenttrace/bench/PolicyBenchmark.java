package dev.agenttrace.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.rules.ScopeFirewall;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One firewall judgement per call, with a 50-rule policy (20 file globs, 20 commands, 10 hosts),
 * on the kinds of call an agent makes. Sample mode, so the report has p50 and p99.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PolicyBenchmark {
    ScopeFirewall firewall;
    JsonNode read;
    JsonNode readMissing;
    JsonNode bash;
    JsonNode pipeline;
    JsonNode fetch;
    /** Every call of the issue-16 corpora (tests/fixtures/firewall), each with its own policy's firewall. */
    CorpusCall[] corpus;
    int next;

    record CorpusCall(ScopeFirewall firewall, String tool, JsonNode args) {
    }

    @Setup
    public void setup() throws Exception {
        Path root = Files.createTempDirectory("policy-bench");
        Files.createDirectories(root.resolve("src/main"));
        Files.writeString(root.resolve("src/main/App.java"), "class App {}");
        StringBuilder p = new StringBuilder("{\"files\":{\"read\":{\"deny\":[");
        for (int i = 0; i < 10; i++) {
            p.append(i == 0 ? "" : ",").append("\"**/secret").append(i).append("/**\"");
        }
        p.append("]},\"write\":{\"allow\":[");
        for (int i = 0; i < 10; i++) {
            p.append(i == 0 ? "" : ",").append("\"module").append(i).append("/**\"");
        }
        p.append("]}},\"commands\":{\"deny\":[");
        for (int i = 0; i < 20; i++) {
            p.append(i == 0 ? "" : ",").append("\"tool").append(i).append(" --force\"");
        }
        p.append("]},\"network\":{\"deny_all\":true,\"allow\":[");
        for (int i = 0; i < 10; i++) {
            p.append(i == 0 ? "" : ",").append("\"*.corp").append(i).append(".example\"");
        }
        p.append("]}}");
        firewall = new ScopeFirewall(ScopePolicyParser.parse(p.toString(), "bench-policy.json"),
                new JudgeContext(root, root));
        ObjectMapper m = new ObjectMapper();
        read = m.readTree("{\"file_path\":\"src/main/App.java\"}");
        readMissing = m.readTree("{\"file_path\":\"src/main/New.java\"}");
        bash = m.readTree("{\"command\":\"git status --short\"}");
        pipeline = m.readTree("{\"command\":\"cd src && grep -rn TODO . | sort | head -20\"}");
        fetch = m.readTree("{\"url\":\"https://docs.corp3.example/page\"}");
        corpus = corpus(m);
    }

    /**
     * The hostile and benign corpora of the tests, on their fixture (files, home, links) in a
     * temporary directory; {@code CORPORA} names their directory (default: the repository's).
     */
    static CorpusCall[] corpus(ObjectMapper m) throws Exception {
        Path dir = Path.of(System.getProperty("corpora", System.getenv().getOrDefault("CORPORA", "../../tests/fixtures/firewall")));
        JsonNode hostile = m.readTree(dir.resolve("hostile-corpus.json").toFile());
        JsonNode benign = m.readTree(dir.resolve("benign-corpus.json").toFile());
        Path base = Files.createTempDirectory("policy-bench-corpus").toRealPath();
        Path root = Files.createDirectories(base.resolve("proj"));
        Path home = Files.createDirectories(base.resolve("home"));
        Path outside = Files.createDirectories(base.resolve("outside"));
        JsonNode fx = hostile.get("fixture");
        write(root, fx.get("files"));
        write(home, fx.get("home_files"));
        write(outside, fx.get("outside_files"));
        for (var e : fx.get("symlinks").properties()) {
            Path link = root.resolve(e.getKey());
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(e.getValue().asText().replace("@ROOT@", root.toString()).replace("@HOME@", home.toString())));
        }
        java.util.Map<String, ScopeFirewall> firewalls = new java.util.HashMap<>();
        java.util.List<CorpusCall> calls = new java.util.ArrayList<>();
        for (JsonNode c : new JsonNode[] {hostile, benign}) {
            for (var e : c.get("policies").properties()) {
                firewalls.put(e.getKey(), new ScopeFirewall(ScopePolicyParser.parse(m.writeValueAsString(e.getValue()), e.getKey() + ".json"),
                        new JudgeContext(root, home)));
            }
            for (JsonNode k : c.get("cases")) {
                String args = m.writeValueAsString(k.get("args")).replace("@ROOT@", root.toString()).replace("@HOME@", home.toString())
                        .replace("@BASE@", base.toString());
                calls.add(new CorpusCall(firewalls.get(k.get("policy").asText()), k.get("tool").asText(), m.readTree(args)));
            }
        }
        // a fixed shuffle, so neighbouring calls do not share a policy and a shape
        java.util.Collections.shuffle(calls, new java.util.Random(16));
        return calls.toArray(new CorpusCall[0]);
    }

    private static void write(Path dir, JsonNode files) throws java.io.IOException {
        for (var e : files.properties()) {
            Path f = dir.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue().asText());
        }
    }

    /** One call of the corpora per invocation, in turn: the distribution is over every corpus call. */
    @Benchmark
    public Object corpusCall() {
        CorpusCall c = corpus[next];
        next = next + 1 == corpus.length ? 0 : next + 1;
        return c.firewall().judge(c.tool(), c.args());
    }

    @Benchmark
    public Object readExistingFile() {
        return firewall.judge("Read", read);
    }

    @Benchmark
    public Object readNewFile() {
        return firewall.judge("Read", readMissing);
    }

    @Benchmark
    public Object bashCommand() {
        return firewall.judge("Bash", bash);
    }

    @Benchmark
    public Object bashPipeline() {
        return firewall.judge("Bash", pipeline);
    }

    @Benchmark
    public Object webFetch() {
        return firewall.judge("WebFetch", fetch);
    }
}
