package dev.agenttrace.rules.watch;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * POSTs alerts as JSON on its own threads: {@link #post} returns at once, whatever the receiver
 * does. Each attempt has a timeout; a failure (no connection, timeout, non-2xx) is retried with
 * doubling back-off up to the configured count; the final failure is reported, never thrown.
 * agent-strace posted synchronously in its watch loop and swallowed every error.
 */
public final class WebhookNotifier implements AutoCloseable {
    private static final int MAX_IN_FLIGHT = 100;

    private final Duration timeout;
    private final int retries;
    private final Duration backoff;
    private final Consumer<String> problems;
    private final ExecutorService io;
    private final ScheduledExecutorService timer;
    private final HttpClient client;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param retries  attempts after the first
     * @param backoff  wait before the first retry, doubled for each next one
     * @param problems where a final failure is reported (one line)
     */
    public WebhookNotifier(Duration timeout, int retries, Duration backoff, Consumer<String> problems) {
        this.timeout = timeout;
        this.retries = retries;
        this.backoff = backoff;
        this.problems = problems;
        this.io = Executors.newFixedThreadPool(2, daemon("agent-trace-webhook"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("agent-trace-webhook-retry"));
        this.client = HttpClient.newBuilder().connectTimeout(timeout).executor(io).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Sends {@code json} to {@code url} in the background.
     *
     * @return completes with true once a 2xx arrived, false when every attempt failed (or the
     *         queue was full); never completes exceptionally
     */
    public CompletableFuture<Boolean> post(URI url, String json) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            problems.accept("webhook " + url + ": " + MAX_IN_FLIGHT + " alerts are already waiting to be delivered; this one was dropped");
            done.complete(false);
            return done;
        }
        done.whenComplete((ok, e) -> inFlight.decrementAndGet());
        attempt(url, json, 0, done);
        return done;
    }

    private void attempt(URI url, String json, int attempt, CompletableFuture<Boolean> done) {
        HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "agent-trace-watch")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
        CompletableFuture<HttpResponse<Void>> sent;
        try {
            sent = client.sendAsync(req, HttpResponse.BodyHandlers.discarding());
        } catch (RuntimeException e) {
            fail(url, json, attempt, done, e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
        }
        sent.whenComplete((resp, e) -> {
            if (e == null && resp.statusCode() / 100 == 2) {
                done.complete(true);
                return;
            }
            String why = e != null ? describe(e) : "HTTP " + resp.statusCode();
            fail(url, json, attempt, done, why);
        });
    }

    private void fail(URI url, String json, int attempt, CompletableFuture<Boolean> done, String why) {
        if (attempt < retries) {
            long wait = backoff.toMillis() << Math.min(attempt, 10);
            try {
                timer.schedule(() -> attempt(url, json, attempt + 1, done), wait, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // shutting down: report below
            }
        }
        problems.accept("webhook " + url + ": alert not delivered after " + (attempt + 1) + " attempt" + (attempt == 0 ? "" : "s")
                + " (" + why + ")");
        done.complete(false);
    }

    private static String describe(Throwable e) {
        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (c instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * Lets alerts already on their way finish (at most the request timeout, capped at 2 s), then
     * stops: a proxy shutting down must not cut off the webhook that says why.
     */
    @Override
    public void close() {
        long end = System.nanoTime() + Math.min(timeout.toNanos(), TimeUnit.SECONDS.toNanos(2));
        while (inFlight.get() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timer.shutdownNow();
        io.shutdownNow();
    }
}
