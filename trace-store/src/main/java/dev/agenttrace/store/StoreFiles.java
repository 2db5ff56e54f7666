package dev.agenttrace.store;

import java.io.FileInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * How every reader of the store opens a file: only a regular file, inside the store, read no
 * further than its size when it was opened. A store is a directory anyone with write access
 * could have planted something in (a FIFO blocks an open forever, {@code /dev/zero} never ends, a
 * symlink can point at {@code ~/.ssh}); a reader that hangs or reads outside is worse than one that
 * says "damaged".
 */
public final class StoreFiles {
    /** The largest {@code meta.json} read (a real one is about 1 KiB). */
    public static final int MAX_META_BYTES = 1 << 20;

    private StoreFiles() {
    }

    /** A file the store will not read, and why (the message is the reason, for a listing). */
    public static final class UnreadableFileException extends IOException {
        private static final long serialVersionUID = 1L;

        UnreadableFileException(String reason) {
            super(reason);
        }
    }

    /**
     * Opens {@code file} for reading, bounded to its size now.
     *
     * @throws NoSuchFileException     it does not exist
     * @throws UnreadableFileException it is not a regular file, or a link that leaves {@code root}
     */
    public static InputStream open(Path root, Path file) throws IOException {
        return open(root, file, 0);
    }

    /** {@link #open(Path, Path)}, positioned at byte {@code from} (past the end: an empty stream). */
    public static InputStream open(Path root, Path file, long from) throws IOException {
        Path real = check(root, file);
        FileInputStream in = new FileInputStream(real.toFile());
        long size;
        try {
            size = in.getChannel().size();
            if (from > 0) {
                in.getChannel().position(Math.min(from, size));
            }
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return new Bounded(in, Math.max(0, size - Math.max(0, from)));
    }

    /** Reads a small file whole ({@code meta.json}), at most {@code max} bytes, else an error that says so. */
    public static byte[] readSmall(Path root, Path file, int max) throws IOException {
        try (InputStream in = open(root, file)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new UnreadableFileException("larger than " + max + " bytes, which no " + file.getFileName()
                        + " written by agent-trace or agent-strace is");
            }
            return b;
        }
    }

    /** The real path of {@code file} if it may be read, else why not. */
    static Path check(Path root, Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Path real = file;
        if (a.isSymbolicLink()) {
            real = file.toRealPath();
            Path rootReal = root.toRealPath();
            if (!real.startsWith(rootReal)) {
                throw new UnreadableFileException("a symbolic link to " + real + ", outside the store; not followed");
            }
            a = Files.readAttributes(real, BasicFileAttributes.class);
        }
        if (a.isDirectory()) {
            throw new UnreadableFileException("a directory, not a file");
        }
        if (!a.isRegularFile()) {
            throw new UnreadableFileException("not a regular file (a FIFO, socket or device); not opened");
        }
        return real;
    }

    /** Ends where the file ended when it was opened: a file that grows meanwhile is read again later. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long size) {
            super(in);
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(buf, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(Math.min(n, left));
            left -= s;
            return s;
        }
    }
}
