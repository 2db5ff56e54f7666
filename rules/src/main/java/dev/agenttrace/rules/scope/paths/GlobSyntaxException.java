package dev.agenttrace.rules.scope.paths;

/**
 * A glob in a policy that cannot be compiled. Carries the offset of the offending character so the
 * policy parser can point at it, and a fix the user can apply, because "bad glob" alone leaves the
 * user guessing which of the dozen characters is wrong.
 */
public final class GlobSyntaxException extends IllegalArgumentException {
    private final String glob;
    private final int offset;
    private final String problem;
    private final String fix;

    public GlobSyntaxException(String glob, int offset, String problem, String fix) {
        super("bad glob \"" + glob + "\" at character " + (offset + 1) + ": " + problem + "; " + fix);
        this.glob = glob;
        this.offset = offset;
        this.problem = problem;
        this.fix = fix;
    }

    public String glob() {
        return glob;
    }

    /** Zero-based offset of the character the problem starts at. */
    public int offset() {
        return offset;
    }

    public String problem() {
        return problem;
    }

    public String fix() {
        return fix;
    }
}
