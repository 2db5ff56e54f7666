package dev.agenttrace.rules.watch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.agenttrace.store.TraceEvent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook action against a real HTTP receiver. */
class WebhookTest {
    private WireMockServer receiver;
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<TraceEvent> recorded = Collections.synchronizedList(new ArrayList<>());
    private final Events ev = new Events();

    @BeforeEach
    void start() {
        receiver = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop();
    }

    private Alert alert(SessionWatch w) {
        List<Alert> alerts = Events.feed(w, ev.call("spin", "{\"n\": 1}"), ev.call("spin", "{\"n\": 1}"));
        assertEquals(1, alerts.size());
        return alerts.get(0);
    }

    private SessionWatch watch() {
        return ev.watch("{\"watchers\": {\"loop\": {\"window\": 2, \"max_same_calls\": 2, \"alert\": \"webhook\"}},"
                + " \"webhook\": {\"url\": \"" + receiver.baseUrl() + "/hook\", \"timeout_seconds\": 0.3, \"retries\": 2}}");
    }

    private AlertActions actions(WatchConfig.Webhook hook) {
        return AlertActions.builder().webhook(hook).problems(problems::add).terminal(l -> { }).webhookBackoff(Duration.ofMillis(50)).build();
    }

    private static void await(java.util.function.BooleanSupplier c, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!c.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    @Test
    void postsASlackCompatibleText() throws Exception {
        receiver.stubFor(post("/hook").willReturn(ok()));
        SessionWatch w = watch();
        try (AlertActions a = actions(Events.config("{\"webhook\": {\"url\": \"" + receiver.baseUrl() + "/hook\"}}").webhook())) {
            a.dispatch(alert(w), new SessionTarget(w, null, 0, recorded::add, false));
            await(() -> receiver.getAllServeEvents().size() == 1, 5_000);
        }
        receiver.verify(1, postRequestedFor(urlEqualTo("/hook"))
                .withHeader("Content-Type", containing("application/json"))
                .withRequestBody(matchingJsonPath("$.text", containing("[warning] loop: spin {\"n\":1} was called 2 times")))
                .withRequestBody(matchingJsonPath("$.session_id", containing(ev.session)))
                .withRequestBody(matchingJsonPath("$.rule", containing("loop"))));
        assertTrue(problems.isEmpty(), problems.toString());
        assertEquals(List.of("webhook"), listOf(recorded.get(0).data().path("done")));
    }

    @Test
    void retriesA500UntilItIsDelivered() throws Exception {
        receiver.stubFor(post("/hook").inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(serverError()).willSetStateTo("recovered"));
        receiver.stubFor(post("/hook").inScenario("flaky").whenScenarioStateIs("recovered").willReturn(ok()));
        SessionWatch w = watch();
        try (AlertActions a = actions(w == null ? null : Events.config("{\"webhook\": {\"url\": \"" + receiver.baseUrl()
                + "/hook\", \"retries\": 3}}").webhook())) {
            a.dispatch(alert(w), new SessionTarget(w, null, 0, recorded::add, false));
            await(() -> receiver.getAllServeEvents().size() == 2, 5_000);
            Thread.sleep(300);
        }
        assertEquals(2, receiver.getAllServeEvents().size());
        assertTrue(problems.isEmpty(), "delivered on the second attempt: " + problems);
    }

    @Test
    void aHangingReceiverTimesOutIsReportedAndNeverHoldsTheCaller() throws Exception {
        receiver.stubFor(post("/hook").willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
        WatchConfig.Webhook hook = new WatchConfig.Webhook(URI.create(receiver.baseUrl() + "/hook"), List.of(), Duration.ofMillis(300), 1);
        SessionWatch w = watch();
        Alert alert = alert(w);
        try (AlertActions a = actions(hook)) {
            long worst = 0;
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                a.dispatch(alert, new SessionTarget(w, null, 0, recorded::add, false));
                worst = Math.max(worst, System.nanoTime() - t0);
            }
            assertTrue(worst < TimeUnit.MILLISECONDS.toNanos(50), "dispatch returned in " + worst / 1_000 + " µs at worst");
            await(() -> problems.size() == 20, 10_000);
        }
        assertEquals(20, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("not delivered after 2 attempts (timed out)"), problems.get(0));
        await(() -> recorded.stream().filter(e -> "watch_webhook_failed".equals(e.data().path("kind").asText())).count() == 20, 2_000);
        assertEquals(20, recorded.stream().filter(e -> "watch_webhook_failed".equals(e.data().path("kind").asText())).count(),
                "the failure is in the trace too");
    }

    private static List<String> listOf(com.fasterxml.jackson.databind.JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
