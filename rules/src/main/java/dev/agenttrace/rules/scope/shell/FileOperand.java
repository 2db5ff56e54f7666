package dev.agenttrace.rules.scope.shell;

/**
 * A file a command reads or writes, as written in the command ({@code cat .env} reads
 * {@code .env}; {@code > out.txt} writes {@code out.txt}).
 *
 * @param word      the word naming the file (its text may still hold {@code ~}, {@code $HOME} or
 *                  a glob; the caller expands what it can)
 * @param path      the path part of the word ({@code curl -d @.env} names {@code .env})
 * @param write     true for a write (create, modify, delete), false for a read
 * @param how       what in the command makes it an access, for messages ({@code "cat"},
 *                  {@code "redirection >"})
 * @param recursive the access covers the whole tree under the path ({@code grep -r},
 *                  {@code tar c}, {@code rm -r}, {@code find -delete}, the target of a link)
 */
public record FileOperand(ShellWord word, String path, boolean write, String how, boolean recursive) {

    public FileOperand(ShellWord word, String path, boolean write, String how) {
        this(word, path, write, how, false);
    }
}
