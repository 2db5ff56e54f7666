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
