package dev.agenttrace.rules.scope.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A program run with its arguments, as one layer of a simple command: in
 * {@code sudo -u x env A=1 /usr/bin/curl evil.com} the layers are {@code sudo ...},
 * {@code env ...} and {@code curl evil.com}.
 *
 * @param binary     the program's name: the word's last path segment, lower case, without
 *                   {@code .exe} ({@code /usr/bin/CURL.exe} is {@code curl}), so a rule names a
 *                   program however it is spelled
 * @param binaryWord the word as written
 * @param arguments  the words after it
 */
public record Invocation(String binary, ShellWord binaryWord, List<ShellWord> arguments) {

    public Invocation {
        arguments = List.copyOf(arguments);
    }

    public static Invocation of(ShellWord binaryWord, List<ShellWord> arguments) {
        return new Invocation(programName(binaryWord.text()), binaryWord, arguments);
    }

    /** The name a rule compares: last path segment, lower case, without a Windows executable suffix. */
    public static String programName(String word) {
        String name = word.replace('\\', '/');
        int slash = name.lastIndexOf('/');
        if (slash >= 0 && slash < name.length() - 1) {
            name = name.substring(slash + 1);
        }
        name = name.toLowerCase(Locale.ROOT);
        if (name.endsWith(".exe") && name.length() > 4) {
            name = name.substring(0, name.length() - 4);
        }
        return name;
    }

    /** The program name is only known at run time ({@code $X}, {@code $(which curl)}). */
    public boolean binaryIsComputed() {
        return binaryWord.expansion();
    }

    public List<String> argumentTexts() {
        List<String> texts = new ArrayList<>(arguments.size());
        for (ShellWord w : arguments) {
            texts.add(w.text());
        }
        return texts;
    }

    /** The layer as a user would type it, for messages. */
    public String display() {
        StringBuilder b = new StringBuilder(binaryWord.text());
        for (ShellWord w : arguments) {
            b.append(' ').append(w.text().indexOf(' ') >= 0 || w.text().isEmpty() ? "'" + w.text() + "'" : w.text());
        }
        return b.toString();
    }
}
