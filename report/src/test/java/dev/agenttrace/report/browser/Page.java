package dev.agenttrace.report.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One tab, with what a test asserts about it: every console error and uncaught exception, and every
 * request the page makes. The network is switched off before anything loads.
 */
public final class Page implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Chromium browser;
    private final String target;
    private final String session;
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch loaded = new CountDownLatch(1);
    private final Consumer<JsonNode> listener;

    Page(Chromium browser, String target, String session) {
        this.browser = browser;
        this.target = target;
        this.session = session;
        this.listener = this::event;
        browser.listeners.add(listener);
        send("Runtime.enable", null);
        send("Log.enable", null);
        send("Page.enable", null);
        send("Network.enable", null);
        ObjectNode m = Chromium.JSON.createObjectNode().put("width", 1400).put("height", 1000).put("deviceScaleFactor", 1).put("mobile", false);
        send("Emulation.setDeviceMetricsOverride", m);
    }

    private void event(JsonNode msg) {
        if (!session.equals(msg.path("sessionId").asText())) {
            return;
        }
        JsonNode p = msg.path("params");
        switch (msg.path("method").asText()) {
            case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails").path("exception").path("description").asText(p.path("exceptionDetails").path("text").asText()));
            case "Runtime.consoleAPICalled" -> {
                String type = p.path("type").asText();
                if (type.equals("error") || type.equals("assert")) {
                    errors.add("console." + type + ": " + p.path("args"));
                }
            }
            case "Log.entryAdded" -> {
                if ("error".equals(p.path("entry").path("level").asText())) {
                    errors.add("log: " + p.path("entry").path("text").asText() + " " + p.path("entry").path("url").asText(""));
                }
            }
            case "Network.requestWillBeSent" -> requests.add(p.path("request").path("url").asText());
            case "Page.loadEventFired" -> loaded.countDown();
            default -> {
            }
        }
    }

    JsonNode send(String method, ObjectNode params) {
        return browser.send(session, method, params);
    }

    /** No network at all: any request but the page's own file fails (and is still seen in {@link #requests()}). */
    public Page offline() {
        send("Network.emulateNetworkConditions", Chromium.JSON.createObjectNode().put("offline", true).put("latency", 0)
                .put("downloadThroughput", -1).put("uploadThroughput", -1));
        return this;
    }

    public void open(String url) throws InterruptedException {
        loaded = new CountDownLatch(1);
        JsonNode r = send("Page.navigate", Chromium.JSON.createObjectNode().put("url", url));
        if (r.hasNonNull("errorText")) {
            throw new AssertionError("navigating to " + url + ": " + r.get("errorText").asText());
        }
        if (!loaded.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(url + " did not finish loading within " + WAIT.toSeconds() + " s");
        }
    }

    /** Evaluates an expression (promises awaited) and returns its JSON value. */
    public JsonNode eval(String expression) {
        JsonNode r = send("Runtime.evaluate", Chromium.JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("evaluating " + expression + ": " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Waits, with a generous bound, until the expression is truthy. */
    public JsonNode waitFor(String expression) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode v = null;
        while (System.nanoTime() < deadline) {
            v = eval(expression);
            if (v != null && !v.isMissingNode() && !v.isNull() && v.asBoolean(true) && !(v.isTextual() && v.asText().isEmpty())
                    && !(v.isNumber() && v.asDouble() == 0)) {
                return v;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("still not true after " + WAIT.toSeconds() + " s: " + expression + " (last value " + v + "); page errors " + errors);
    }

    public void key(String key) {
        ObjectNode down = Chromium.JSON.createObjectNode().put("type", "keyDown").put("key", key);
        switch (key) {
            case "Enter" -> down.put("code", "Enter").put("windowsVirtualKeyCode", 13).put("text", "\r");
            case "Escape" -> down.put("code", "Escape").put("windowsVirtualKeyCode", 27);
            case "ArrowDown" -> down.put("code", "ArrowDown").put("windowsVirtualKeyCode", 40);
            default -> down.put("text", key).put("windowsVirtualKeyCode", Character.toUpperCase(key.charAt(0)));
        }
        send("Input.dispatchKeyEvent", down);
        send("Input.dispatchKeyEvent", Chromium.JSON.createObjectNode().put("type", "keyUp").put("key", key));
    }

    public void type(String text) {
        send("Input.insertText", Chromium.JSON.createObjectNode().put("text", text));
    }

    /** A real mouse click at the centre of the first element the selector matches. */
    public void click(String selector) {
        JsonNode box = eval("(() => { const e = document.querySelector(" + Chromium.JSON.valueToTree(selector) + "); if (!e) return null;"
                + " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); return {x: r.left + Math.min(r.width / 2, 60), y: r.top + r.height / 2}; })()");
        if (box == null || box.isNull() || box.isMissingNode()) {
            throw new AssertionError("nothing to click: " + selector);
        }
        for (String type : new String[] {"mousePressed", "mouseReleased"}) {
            send("Input.dispatchMouseEvent", Chromium.JSON.createObjectNode().put("type", type).put("x", box.get("x").asDouble())
                    .put("y", box.get("y").asDouble()).put("button", "left").put("clickCount", 1));
        }
    }

    /** A PNG of the whole page (up to 5000 px high). */
    public void screenshot(Path file) throws Exception {
        JsonNode m = send("Page.getLayoutMetrics", null);
        double h = Math.min(5000, m.path("cssContentSize").path("height").asDouble(1000));
        ObjectNode clip = Chromium.JSON.createObjectNode().put("x", 0).put("y", 0).put("width", 1400).put("height", h).put("scale", 1);
        ObjectNode p = Chromium.JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
        p.set("clip", clip);
        JsonNode r = send("Page.captureScreenshot", p);
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
    }

    public List<String> errors() {
        return new ArrayList<>(errors);
    }

    public List<String> requests() {
        return new ArrayList<>(requests);
    }

    @Override
    public void close() {
        browser.listeners.remove(listener);
        browser.send(null, "Target.closeTarget", Chromium.JSON.createObjectNode().put("targetId", target));
    }
}
