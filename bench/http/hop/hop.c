// hop: the cost of one extra HTTP hop, with peers that are cheap and steady.
//
//   hop serve PORT [SERVICE_US] [json|sse|legacy]
//                                            an MCP-shaped upstream: answers initialize (with an
//                                            Mcp-Session-Id) and every tools/call with its echo,
//                                            after SERVICE_US of CPU (a server that computes), in
//                                            one write: Streamable HTTP as JSON or as an SSE
//                                            stream (priming event, message, end: what
//                                            server-everything sends), or legacy HTTP+SSE (GET
//                                            /sse announces /message?sessionId=N; a POST gets 202
//                                            and its answer comes as an event on the stream)
//   hop relay LISTEN_PORT UPSTREAM_PORT      a raw-bytes TCP relay, a blocking thread per direction:
//                                            the floor of one process hop
//   hop client PORT N [legacy]               initialize, then N sequential tools/call; prints
//                                            p50/p90/p99 round trip (legacy: from the POST to the
//                                            answer's event) and mismatches
//
// Everything on 127.0.0.1 with TCP_NODELAY; every answer is checked (its id and its echo).
// Loopback only, no allocation on the timed path, no dependencies but libc and pthreads.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    return a;
}

static int listen_on(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = loopback(port);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 512)) {
        fprintf(stderr, "hop: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        exit(1);
    }
    return s;
}

static int connect_to(int port) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    if (connect(c, (struct sockaddr *)&a, sizeof a)) {
        fprintf(stderr, "hop: cannot connect to 127.0.0.1:%d: %s\n", port, strerror(errno));
        exit(1);
    }
    nodelay(c);
    return c;
}

static int write_all(int fd, const char *b, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w <= 0) return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

// ---------------------------------------------------------------- HTTP messages

// A connection's read buffer: bytes past the current message stay for the next one.
struct conn {
    int fd;
    char buf[1 << 16];
    size_t len; // bytes in buf
};

static ssize_t fill(struct conn *c) {
    if (c->len >= sizeof c->buf - 1) return -1;
    ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
    if (r > 0) {
        c->len += (size_t)r;
        c->buf[c->len] = 0;
    }
    return r;
}

static void consume(struct conn *c, size_t n) {
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    c->buf[c->len] = 0;
}

// Reads one whole message (head, then a Content-Length or chunked body) and returns its length;
// the head ends at *body, the body (chunked: raw, with its framing) runs to the returned length.
static ssize_t read_message(struct conn *c, char **body) {
    for (;;) {
        char *end = c->len ? strstr(c->buf, "\r\n\r\n") : NULL;
        if (end) {
            *end = 0; // for strcasestr on the head alone
            char *cl = strcasestr(c->buf, "\ncontent-length:");
            int chunked = strcasestr(c->buf, "\ntransfer-encoding: chunked") != NULL;
            *end = '\r';
            size_t head = (size_t)(end + 4 - c->buf);
            *body = end + 4;
            if (cl) {
                size_t total = head + (size_t)atol(cl + 16);
                while (c->len < total)
                    if (fill(c) <= 0) return -1;
                *body = c->buf + head;
                return (ssize_t)total;
            }
            if (chunked) {
                for (;;) {
                    char *term = strstr(c->buf + head, "\r\n0\r\n\r\n");
                    if (!term && strncmp(c->buf + head, "0\r\n\r\n", 5) == 0) term = c->buf + head - 2;
                    if (term) {
                        *body = c->buf + head;
                        return (ssize_t)(term + 7 - c->buf);
                    }
                    if (fill(c) <= 0) return -1;
                }
            }
            return (ssize_t)head;
        }
        if (fill(c) <= 0) return -1;
    }
}

// ---------------------------------------------------------------- serve

enum mode { JSON, SSE, LEGACY };
static enum mode mode;
static double service_us;
static int next_session;
// legacy: the open event streams, by session number (a POST names its session in the query)
#define MAX_STREAMS 1024
static int streams[MAX_STREAMS];
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;

static void spin(double us) {
    double until = now_us() + us;
    while (now_us() < until) {
    }
}

// The value of "id" in a JSON-RPC request (a bare number or a string, copied as it is).
static int request_id(const char *body, char *out, size_t cap) {
    const char *p = strstr(body, "\"id\":");
    if (!p) return -1;
    p += 5;
    size_t n = strcspn(p, ",}");
    if (n == 0 || n >= cap) return -1;
    memcpy(out, p, n);
    out[n] = 0;
    return 0;
}

// Writes one chunk of an event stream (a whole SSE event, as Node's SSE servers do).
static int write_event(int fd, const char *event, int len) {
    char out[8192];
    int ol = snprintf(out, sizeof out, "%x\r\n%s\r\n", len, event);
    return write_all(fd, out, (size_t)ol);
}

static void *serve_connection(void *arg) {
    int fd = (int)(long)arg;
    struct conn *c = calloc(1, sizeof *c);
    char out[8192], result[4096];
    c->fd = fd;
    char *body;
    ssize_t n;
    unsigned long long events = 0;
    int session = 0;
    while ((n = read_message(c, &body)) > 0) {
        if (mode == LEGACY && strncmp(c->buf, "GET ", 4) == 0) {
            pthread_mutex_lock(&streams_lock);
            int sid = ++next_session % MAX_STREAMS;
            streams[sid] = fd;
            pthread_mutex_unlock(&streams_lock);
            char ev[128];
            int el = snprintf(ev, sizeof ev, "event: endpoint\ndata: /message?sessionId=%d\n\n", sid);
            int ol = snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                                               "Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", el, ev);
            write_all(fd, out, (size_t)ol);
            free(c);
            return NULL; // the stream belongs to the POSTs from now on; it ends when the client leaves
        }
        char id[64];
        char saved = c->buf[n];
        c->buf[n] = 0;
        int init = strstr(body, "\"method\":\"initialize\"") != NULL;
        int notification = request_id(body, id, sizeof id) != 0;
        const char *q = strstr(c->buf, "?sessionId=");
        int stream = mode == LEGACY && q ? streams[atoi(q + 11) % MAX_STREAMS] : -1;
        const char *msg = strstr(body, "\"message\":\"");
        char echo[1024] = "";
        if (msg) {
            msg += 11;
            size_t m = strcspn(msg, "\"");
            if (m >= sizeof echo) m = sizeof echo - 1;
            memcpy(echo, msg, m);
            echo[m] = 0;
        }
        c->buf[n] = saved;
        consume(c, (size_t)n);
        if (notification || mode == LEGACY) {
            const char *accepted = "HTTP/1.1 202 Accepted\r\nContent-Length: 8\r\n\r\nAccepted";
            if (write_all(fd, accepted, strlen(accepted))) break;
            if (notification) continue;
        }
        if (init && mode != LEGACY) {
            pthread_mutex_lock(&streams_lock);
            session = ++next_session; // a new MCP session per initialize, even on a reused connection
            pthread_mutex_unlock(&streams_lock);
        }
        spin(service_us);
        int rl = init ? snprintf(result, sizeof result,
                                 "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"protocolVersion\":\"2025-06-18\","
                                 "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"hop\",\"version\":\"1\"}}}", id)
                      : snprintf(result, sizeof result,
                                 "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"Echo: %s\"}]}}",
                                 id, echo);
        char ev1[128], ev2[4300];
        int ol = 0;
        switch (mode) {
        case JSON:
            ol = snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nMcp-Session-Id: hop-%d\r\n"
                                           "Content-Length: %d\r\n\r\n%s", session, rl, result);
            break;
        case SSE: {
            int l1 = snprintf(ev1, sizeof ev1, "id: %llu\ndata: \n\n", ++events);
            int l2 = snprintf(ev2, sizeof ev2, "event: message\nid: %llu\ndata: %s\n\n", ++events, result);
            ol = snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                                           "Mcp-Session-Id: hop-%d\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n",
                          session, l1, ev1, l2, ev2);
            break;
        }
        case LEGACY: {
            int l2 = snprintf(ev2, sizeof ev2, "event: message\ndata: %s\n\n", result);
            if (stream >= 0) write_event(stream, ev2, l2);
            continue;
        }
        }
        if (write_all(fd, out, (size_t)ol)) break;
    }
    close(fd);
    free(c);
    return NULL;
}

static int serve(int port) {
    signal(SIGPIPE, SIG_IGN);
    int s = listen_on(port);
    for (;;) {
        int fd = accept(s, NULL, NULL);
        if (fd < 0) continue;
        nodelay(fd);
        pthread_t t;
        pthread_create(&t, NULL, serve_connection, (void *)(long)fd);
        pthread_detach(t);
    }
    return 0;
}

// ---------------------------------------------------------------- relay

struct pump { int from, to; };

static void *pump_bytes(void *arg) {
    struct pump p = *(struct pump *)arg;
    free(arg);
    char buf[65536];
    ssize_t n;
    while ((n = read(p.from, buf, sizeof buf)) > 0)
        if (write_all(p.to, buf, (size_t)n)) break;
    shutdown(p.to, SHUT_WR);
    return NULL;
}

static int relay(int port, int upstream) {
    signal(SIGPIPE, SIG_IGN);
    int s = listen_on(port);
    for (;;) { // until killed
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        nodelay(c);
        int u = connect_to(upstream);
        pthread_t t;
        struct pump *a = malloc(sizeof *a), *b = malloc(sizeof *b);
        *a = (struct pump){c, u};
        *b = (struct pump){u, c};
        pthread_create(&t, NULL, pump_bytes, a);
        pthread_detach(t);
        pthread_create(&t, NULL, pump_bytes, b);
        pthread_detach(t);
    }
    return 0;
}

// ---------------------------------------------------------------- client

// An event stream's text, decoded from its chunks as it arrives.
struct stream {
    struct conn raw;
    char text[1 << 16];
    size_t len;
};

// Moves whole chunks from the raw bytes to the text; -1 when the stream ends or breaks.
static int decode_chunks(struct stream *s) {
    for (;;) {
        char *eol = strstr(s->raw.buf, "\r\n");
        if (!eol) return 0;
        size_t size = strtoul(s->raw.buf, NULL, 16), head = (size_t)(eol + 2 - s->raw.buf);
        if (size == 0) return -1;
        if (s->raw.len < head + size + 2) return 0;
        if (s->len + size >= sizeof s->text) return -1;
        memcpy(s->text + s->len, s->raw.buf + head, size);
        s->len += size;
        s->text[s->len] = 0;
        consume(&s->raw, head + size + 2);
    }
}

// Reads the stream until a whole event holding `needle` has arrived; drops the text up to its end.
static int await_event(struct stream *s, const char *needle) {
    for (;;) {
        char *hit = strstr(s->text, needle);
        char *end = hit ? strstr(hit, "\n\n") : NULL;
        if (end) {
            size_t done = (size_t)(end + 2 - s->text);
            memmove(s->text, s->text + done, s->len - done + 1);
            s->len -= done;
            return 0;
        }
        if (decode_chunks(s) < 0 || fill(&s->raw) <= 0) return -1;
        if (decode_chunks(s) < 0) return -1;
    }
}

static int post(struct conn *c, int port, const char *target, const char *sid, const char *body) {
    char req[2048];
    int rl = snprintf(req, sizeof req,
                      "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                      "Accept: application/json, text/event-stream\r\n%s%s%sContent-Length: %zu\r\n\r\n%s", target, port,
                      sid ? "Mcp-Session-Id: " : "", sid ? sid : "", sid ? "\r\nMcp-Protocol-Version: 2025-06-18\r\n" : "",
                      strlen(body), body);
    return write_all(c->fd, req, (size_t)rl);
}

static int client(int port, int n, int legacy) {
    static struct conn c;
    static struct stream st;
    c.fd = connect_to(port);
    char body[1024], sid[128] = "", target[256] = "/mcp", expect[256];
    char *rb;
    ssize_t m;
    if (legacy) {
        st.raw.fd = connect_to(port);
        char get[256];
        int gl = snprintf(get, sizeof get, "GET /sse HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n\r\n", port);
        char *end;
        if (write_all(st.raw.fd, get, (size_t)gl)) return 1;
        while (!(end = strstr(st.raw.buf, "\r\n\r\n")))
            if (fill(&st.raw) <= 0) return 1;
        if (strncmp(st.raw.buf, "HTTP/1.1 200", 12)) {
            fprintf(stderr, "hop: GET /sse answered %.200s\n", st.raw.buf);
            return 1;
        }
        consume(&st.raw, (size_t)(end + 4 - st.raw.buf));
        char *ep;
        while (!(ep = strstr(st.text, "event: endpoint\ndata: ")) || !strstr(ep, "\n\n"))
            if (decode_chunks(&st) < 0 || (!strstr(st.text, "\n\n") && fill(&st.raw) <= 0)) return 1;
        sscanf(ep + 22, "%255[^\n]", target);
        st.len = 0;
        st.text[0] = 0;
    }
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
             "\"capabilities\":{},\"clientInfo\":{\"name\":\"hop\",\"version\":\"1\"}}}");
    if (post(&c, port, target, NULL, body) || (m = read_message(&c, &rb)) <= 0) {
        fprintf(stderr, "hop: no answer to initialize\n");
        return 1;
    }
    if (legacy) {
        if (await_event(&st, "\"id\":0,")) return 1;
    } else {
        char *h = strcasestr(c.buf, "\nmcp-session-id: ");
        if (!h || strncmp(c.buf, "HTTP/1.1 200", 12)) {
            fprintf(stderr, "hop: initialize answered without a session: %.300s\n", c.buf);
            return 1;
        }
        sscanf(h + 17, "%127[^\r\n]", sid);
    }
    consume(&c, (size_t)m);
    double *t = malloc(sizeof(double) * (size_t)n);
    long mismatches = 0;
    for (int i = 0; i < n; i++) {
        snprintf(body, sizeof body,
                 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                 "\"arguments\":{\"message\":\"%08d:abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\"}}}", i + 1, i);
        snprintf(expect, sizeof expect, "\"id\":%d,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"Echo: %08d:", i + 1, i);
        double t0 = now_us();
        if (post(&c, port, target, legacy ? NULL : sid, body) || (m = read_message(&c, &rb)) <= 0) {
            fprintf(stderr, "hop: connection closed at call %d\n", i + 1);
            return 1;
        }
        char saved = c.buf[m];
        c.buf[m] = 0;
        int ok = legacy ? strncmp(c.buf, "HTTP/1.1 202", 12) == 0 : strncmp(c.buf, "HTTP/1.1 200", 12) == 0 && strstr(rb, expect);
        c.buf[m] = saved;
        consume(&c, (size_t)m);
        if (legacy && await_event(&st, expect)) {
            fprintf(stderr, "hop: the event stream ended at call %d\n", i + 1);
            return 1;
        }
        t[i] = now_us() - t0;
        if (!ok) mismatches++;
    }
    qsort(t, (size_t)n, sizeof(double), cmp_double);
    printf("p50_us=%.1f p90_us=%.1f p99_us=%.1f n=%d mismatches=%ld\n", t[n / 2], t[n * 9 / 10], t[n * 99 / 100], n,
           mismatches);
    return mismatches ? 3 : 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && !strcmp(argv[1], "serve")) {
        service_us = argc > 3 ? atof(argv[3]) : 0;
        const char *m = argc > 4 ? argv[4] : "json";
        mode = !strcmp(m, "sse") ? SSE : !strcmp(m, "legacy") ? LEGACY : JSON;
        return serve(atoi(argv[2]));
    }
    if (argc == 4 && !strcmp(argv[1], "relay")) return relay(atoi(argv[2]), atoi(argv[3]));
    if ((argc == 4 || argc == 5) && !strcmp(argv[1], "client"))
        return client(atoi(argv[2]), atoi(argv[3]), argc == 5 && !strcmp(argv[4], "legacy"));
    fprintf(stderr, "usage: hop serve PORT [SERVICE_US] [json|sse|legacy]\n"
                    "       hop relay LISTEN_PORT UPSTREAM_PORT\n"
                    "       hop client PORT N [legacy]\n");
    return 2;
}
