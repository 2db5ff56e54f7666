package dev.agenttrace.report.html;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;

/**
 * One self-contained HTML file: its CSS, its script and its data inline, nothing fetched. The data
 * sits in a {@code <script type="application/json">} block (escaped by {@link SafeJson}); above
 * {@value #GZIP_ABOVE} bytes it is gzipped and base64-encoded instead (the browser's own {@code
 * DecompressionStream} unpacks it), which keeps a 100,000-event report a few megabytes.
 *
 * <p>A Content-Security-Policy allows only the page's own script (by its SHA-256), no network
 * except an event feed on the page's own origin when one is given: even data that escaped the
 * escaping could neither run nor send anything anywhere.
 */
public final class HtmlPage {
    static final int GZIP_ABOVE = 256 * 1024;
    private static final String RESOURCES = "/dev/agenttrace/report/";

    private HtmlPage() {
    }

    /**
     * @param title   the page title (escaped here)
     * @param body    the page's markup skeleton, a resource name (ours, trusted)
     * @param scripts resource names of the scripts, concatenated in order
     * @param data    the JSON the script reads (from {@link SafeJson})
     * @param feedUrl    a same-origin server-sent-events URL the page may connect to, or null
     * @param controlUrl a same-origin URL the page POSTs breaker actions under ({@code /pause}, {@code /resume}, {@code /stop}), or null
     */
    public static void write(OutputStream out, String title, String body, String[] scripts, byte[] data, String feedUrl, String controlUrl)
            throws IOException {
        String css = resource("page.css");
        StringBuilder js = new StringBuilder();
        for (String s : scripts) {
            js.append(resource(s)).append('\n');
        }
        String script = js.toString();
        String csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-" + sha256(script)
                + "'; connect-src " + (feedUrl == null && controlUrl == null ? "'none'" : "'self'") + "; base-uri 'none'; form-action 'none'";
        StringBuilder head = new StringBuilder(4096 + css.length());
        head.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(csp).append("\">\n")
                .append("<meta name=\"generator\" content=\"agent-trace\">\n")
                .append("<title>").append(escape(title)).append("</title>\n<style>\n").append(css).append("</style>\n</head>\n")
                .append("<body").append(feedUrl == null ? "" : " data-feed=\"" + escape(feedUrl) + "\"")
                .append(controlUrl == null ? "" : " data-control=\"" + escape(controlUrl) + "\"").append(">\n")
                .append(resource(body)).append('\n');
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        if (data.length > GZIP_ABOVE) {
            out.write("<script type=\"application/gzip-base64\" id=\"agent-trace-data\">".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream gz = new ByteArrayOutputStream(data.length / 6);
            try (GZIPOutputStream z = new GZIPOutputStream(gz, 1 << 16)) {
                z.write(data);
            }
            out.write(Base64.getMimeEncoder(120, new byte[] {'\n'}).encode(gz.toByteArray()));
        } else {
            out.write("<script type=\"application/json\" id=\"agent-trace-data\">".getBytes(StandardCharsets.US_ASCII));
            out.write(data);
        }
        out.write(("</script>\n<script>" + script + "</script>\n</body>\n</html>\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Text for HTML: element content and quoted attribute values. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String resource(String name) {
        try (InputStream in = HtmlPage.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCES + name + " (a broken build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String s) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
