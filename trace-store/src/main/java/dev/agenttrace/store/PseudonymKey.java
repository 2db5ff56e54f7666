package dev.agenttrace.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The store's key for redaction pseudonyms ({@code .agent-trace-key}, 32 random bytes, mode 0600):
 * equal secrets get equal pseudonyms within one store, and nobody without the key can test a
 * guess against a pseudonym.
 */
final class PseudonymKey {
    static final String FILE = ".agent-trace-key";
    private static final int BYTES = 32;

    private PseudonymKey() {
    }

    static byte[] of(Path store) throws IOException {
        Path file = store.resolve(FILE);
        for (int attempt = 0; attempt < 3; attempt++) {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.size(file) != BYTES) {
                    throw new IOException(file + " is not a pseudonym key (" + BYTES + " bytes expected); delete it"
                            + " and a new one is made (earlier pseudonyms then no longer correlate)");
                }
                return Files.readAllBytes(file);
            }
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(file + " is not a regular file; remove it so a pseudonym key can be written");
            }
            byte[] key = new byte[BYTES];
            new SecureRandom().nextBytes(key);
            Path tmp = store.resolve(FILE + "." + Ids.eventId() + ".tmp");
            try {
                Files.write(tmp, key, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // Windows: the directory's ACL decides
                }
                try {
                    Files.createLink(file, tmp); // fails if another process made one first: then use theirs
                } catch (UnsupportedOperationException noLinks) {
                    Files.move(tmp, file); // no REPLACE_EXISTING: fails the same way
                }
                return key;
            } catch (FileAlreadyExistsException raced) {
                // read the winner's key on the next round
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        throw new IOException("cannot create the pseudonym key " + file);
    }
}
