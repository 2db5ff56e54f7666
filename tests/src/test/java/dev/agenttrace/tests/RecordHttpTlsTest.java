package dev.agenttrace.tests;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTPS upstream (WireMock with a certificate made here): record-http verifies it against the
 * JVM's trust store and its host name, and refuses one it cannot verify with a clear 502.
 */
@Timeout(60)
class RecordHttpTlsTest {
    private static final String OK_BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";

    @Test
    void relaysToAVerifiedHttpsUpstreamAndRefusesAnUnverifiedOne(@TempDir Path tmp) throws Exception {
        Path keys = tmp.resolve("up.p12");
        Path cert = tmp.resolve("up.pem");
        Path trust = tmp.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "up", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", keys.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        keytool("-exportcert", "-alias", "up", "-keystore", keys.toString(), "-storepass", "changeit", "-rfc", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "up", "-file", cert.toString(), "-keystore", trust.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit");
        WireMockServer upstream = new WireMockServer(WireMockConfiguration.options().httpDisabled(true).dynamicHttpsPort()
                .bindAddress("127.0.0.1").keystorePath(keys.toString()).keystorePassword("changeit").keyManagerPassword("changeit")
                .keystoreType("PKCS12"));
        upstream.start();
        try {
            upstream.stubFor(post("/mcp").willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(OK_BODY)));
            String url = "https://localhost:" + upstream.httpsPort() + "/mcp";
            HttpResponse<String> trusted = throughProxy(url, tmp.resolve("t1"), List.of("-Djavax.net.ssl.trustStore=" + trust,
                    "-Djavax.net.ssl.trustStorePassword=changeit", "-Djavax.net.ssl.trustStoreType=PKCS12"));
            assertEquals(200, trusted.statusCode(), trusted.body());
            assertEquals(OK_BODY, trusted.body());
            HttpResponse<String> untrusted = throughProxy(url, tmp.resolve("t2"), List.of());
            assertEquals(502, untrusted.statusCode());
            assertTrue(untrusted.body().contains("agent-trace: "), untrusted.body());
        } finally {
            upstream.stop();
        }
    }

    private static HttpResponse<String> throughProxy(String upstream, Path traces, List<String> jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.JAVA, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", Peers.CLASSPATH, "dev.agenttrace.cli.Main", "record-http", upstream, "--port", "0",
                "--trace-dir", traces.toString()));
        Process proxy = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            int port = RecordHttpStreamableEndToEndTest.awaitPort(proxy);
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")).build();
            return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        } finally {
            proxy.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "keytool " + String.join(" ", args) + ": " + out);
    }
}
