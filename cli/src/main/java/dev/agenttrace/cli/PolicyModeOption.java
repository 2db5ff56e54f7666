package dev.agenttrace.cli;

import dev.agenttrace.rules.PolicyMode;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --policy-mode enforce|shadow}, for the proxies (record, record-http). */
final class PolicyModeOption {
    @Option(names = "--policy-mode", paramLabel = "MODE",
            description = "enforce: answer a call the policy forbids with a blocked result, the server never sees it; "
                    + "shadow: forward it and record that it would have been blocked (default: policy_mode of the config file, else enforce).")
    String value;

    @Option(names = "--allow-live-loosening",
            description = "Apply edits of the policy file that loosen it while the proxy runs (default: refuse them and say so on "
                    + "stderr, so the agent cannot switch the firewall off by rewriting the file).")
    boolean allowLiveLoosening;

    /** True when {@code --policy-mode} was given (it then beats every config file). */
    boolean explicit() {
        return value != null;
    }

    PolicyMode mode() {
        String v = value != null ? value : Config.get().policyMode() != null ? Config.get().policyMode() : "enforce";
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "enforce" -> PolicyMode.ENFORCE;
            case "shadow" -> PolicyMode.SHADOW;
            default -> throw new UserError("--policy-mode '" + value + "' is not a mode: use enforce or shadow");
        };
    }
}
