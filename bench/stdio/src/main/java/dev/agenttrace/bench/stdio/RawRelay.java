package dev.agenttrace.bench.stdio;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * The raw hop: a process between client and server that copies bytes both ways and does nothing
 * else (no parsing, no recording). Whatever it costs is what one more process on the path costs
 * on this machine, the floor under any stdio proxy; being a JVM too, its start-up is the floor
 * under a Java proxy's.
 *
 * <pre>RawRelay [--corrupt-every K] -- SERVER COMMAND...</pre>
 * {@code --corrupt-every K} upper-cases one letter in every K-th chunk, each way: the benchmark's
 * self-check uses it to prove the driver notices a single altered byte, in a request or an answer.
 * On client EOF it closes the server's stdin and exits with the server's status.
 */
public final class RawRelay {
    private RawRelay() {
    }

    public static void main(String[] args) throws Exception {
        int corruptEvery = 0;
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i++) {
            if (args[i].equals("--corrupt-every") && i + 1 < args.length) corruptEvery = Integer.parseInt(args[++i]);
            else usage();
        }
        List<String> command = Arrays.asList(args).subList(Math.min(i + 1, args.length), args.length);
        if (command.isEmpty()) usage();
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        OutputStream toServer = server.getOutputStream();
        int every = corruptEvery;
        Thread up = new Thread(() -> {
            try {
                copy(new FileInputStream(FileDescriptor.in), toServer, every, 0);
            } catch (IOException e) {
                // the server went away: nothing more to forward
            } finally {
                try {
                    toServer.close();
                } catch (IOException ignored) {
                    // already closed by the server's exit
                }
            }
        }, "client-to-server");
        up.setDaemon(true);
        up.start();
        try {
            copy(server.getInputStream(), new FileOutputStream(FileDescriptor.out), corruptEvery, 2);
        } catch (IOException e) {
            // the client went away
        }
        Runtime.getRuntime().halt(server.waitFor());   // at once, as EchoServer: nothing is left to flush
    }

    /** {@code from}: where in a chunk to corrupt, 0 from its start (a key of a request), 2 from its middle (an answer's text). */
    private static void copy(InputStream in, OutputStream out, int corruptEvery, int from) throws IOException {
        byte[] buf = new byte[1 << 16];
        long chunks = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            if (corruptEvery > 0 && ++chunks % corruptEvery == 0) flipOneLetter(buf, from == 0 ? 0 : n / from, n);
            out.write(buf, 0, n);
            out.flush();
        }
    }

    /** Upper-cases the first letter from {@code start}: the JSON stays valid, its bytes do not. */
    private static void flipOneLetter(byte[] buf, int start, int n) {
        for (int k = start; k < n; k++) {
            if (buf[k] >= 'a' && buf[k] <= 'z') {
                buf[k] ^= 0x20;
                return;
            }
        }
    }

    private static void usage() {
        System.err.println("usage: RawRelay [--corrupt-every K] -- SERVER COMMAND...");
        System.exit(2);
    }
}
