package dev.agenttrace.rules.watch;

import java.util.regex.Pattern;

/**
 * Which calls run a test suite and whether the run failed, for {@code consecutive_test_failures}.
 * agent-strace counted any result containing "error" and read a field no producer writes; here
 * only calls that run tests count, and a passing run resets the count.
 */
final class TestRuns {
    private static final Pattern TEST_COMMAND = Pattern.compile(
            "(^|[\\s;&|(/])(pytest|py\\.test|nose2|tox|jest|vitest|mocha|rspec|phpunit|ctest|unittest"
                    + "|go test|cargo test|dotnet test|swift test|mix test|bun test|deno test|make (check|test)"
                    + "|(npm|yarn|pnpm)( run)? test|mvnw? .*\\b(test|verify)\\b|gradlew? .*\\btest\\b"
                    + "|python3? -m (pytest|unittest))(\\b|$)");
    private static final Pattern TEST_TOOL = Pattern.compile("(?i)(^|[_\\-.])(run_?)?tests?($|[_\\-.])");
    private static final Pattern FAILED = Pattern.compile(
            "\\b[1-9]\\d* (failed|failing|errors?)\\b|\\bFAILED\\b|\\bFAIL\\b|Failures: [1-9]|Errors: [1-9]|AssertionError"
                    + "|Traceback \\(most recent call last\\)|BUILD FAILURE|exit (code|status) [1-9]|test result: FAILED"
                    + "|Tests? failed", Pattern.CASE_INSENSITIVE);

    private TestRuns() {
    }

    static boolean isTestCall(String tool, String command) {
        if (command != null && TEST_COMMAND.matcher(command).find()) {
            return true;
        }
        return tool != null && TEST_TOOL.matcher(tool).find();
    }

    /** True if the output of a test run says something failed. */
    static boolean failed(String output) {
        return output != null && !output.isEmpty() && FAILED.matcher(output.length() > 20_000 ? output.substring(0, 20_000) : output).find();
    }
}
