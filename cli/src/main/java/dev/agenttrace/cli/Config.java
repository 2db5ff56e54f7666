package dev.agenttrace.cli;

import dev.agenttrace.rules.config.AgentTraceConfig;
import dev.agenttrace.rules.config.ConfigException;
import java.nio.file.Path;

/** The config files of this process (user and project), read once, when a command first needs a default. */
final class Config {
    private static AgentTraceConfig loaded;

    private Config() {
    }

    static synchronized AgentTraceConfig get() {
        if (loaded == null) {
            try {
                loaded = AgentTraceConfig.load(Path.of("").toAbsolutePath(), System.getenv(),
                        Path.of(System.getProperty("user.home")));
            } catch (ConfigException e) {
                throw new UserError(e.getMessage());
            }
        }
        return loaded;
    }
}
