package dev.agenttrace.rules.watch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Signals to the agent, sent with {@code kill(1)} because the JDK can only terminate processes
 * (no SIGSTOP or SIGCONT, no process groups). POSIX only; every failure comes back as a sentence.
 */
public final class ProcessSignals {
    private ProcessSignals() {
    }

    /** Sends {@code signal} (TERM, KILL, STOP, CONT, or 0 to probe) to one pid; null if it worked, else why not. */
    public static String send(String signal, long pid) {
        return kill(signal, Long.toString(pid));
    }

    /** Sends {@code signal} to every process of a process group. */
    static String sendGroup(String signal, long pgid) {
        return kill(signal, "-" + pgid);
    }

    private static String kill(String signal, String target) {
        ProcessBuilder pb = new ProcessBuilder("kill", "-" + signal, "--", target).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "kill -" + signal + " " + target + " did not finish";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String why = new String(out, StandardCharsets.UTF_8).strip();
            return "kill -" + signal + " " + target + " failed" + (why.isEmpty() ? "" : ": " + why.lines().findFirst().orElse(""));
        } catch (IOException e) {
            return "cannot run kill(1): " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while sending SIG" + signal;
        }
    }

    /** True if a process with this pid exists (and is not a zombie). */
    public static boolean alive(long pid) {
        char s = state(pid);
        if (s != 0) {
            return s != 'Z' && s != 'X';
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The state letter in {@code /proc/<pid>/stat} (R, S, T, Z, ...), or 0 if unknown. */
    public static char state(long pid) {
        String[] f = statFields(pid);
        return f == null || f[0].isEmpty() ? 0 : f[0].charAt(0);
    }

    /** The process group of a pid, or -1 if unknown. */
    public static long processGroup(long pid) {
        String[] f = statFields(pid);
        if (f != null && f.length > 2) {
            try {
                return Long.parseLong(f[2]);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        try {
            Process p = new ProcessBuilder("ps", "-o", "pgid=", "-p", Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(5, TimeUnit.SECONDS);
            return out.isEmpty() ? -1 : Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The fields of /proc/pid/stat after the command name: state, ppid, pgrp, ... or null. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int close = stat.lastIndexOf(')');
            return close < 0 ? null : stat.substring(close + 1).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * What {@code kill} ends: the agent's whole process group, unless that group is this process's
     * own (a proxy started by the agent usually shares it, and so does a test's child): then the
     * agent and its descendants, one by one, never this process or its ancestors
     * (nor, when the agent is its ancestor, its own children: the proxy ends its server itself).
     */
    record Targets(long group, List<Long> pids, String description) {
        String signal(String signal) {
            if (group > 0) {
                return sendGroup(signal, group);
            }
            String problem = null;
            for (long pid : pids) {
                String p = send(signal, pid);
                if (p != null && alive(pid)) {
                    problem = p;
                }
            }
            return problem;
        }

        boolean anyAlive() {
            if (group > 0) {
                return kill("0", "-" + group) == null && groupHasLiveMember(group);
            }
            for (long pid : pids) {
                if (alive(pid)) {
                    return true;
                }
            }
            return false;
        }
    }

    static Targets targets(long pid) {
        long own = processGroup(ProcessHandle.current().pid());
        long group = processGroup(pid);
        if (group > 0 && group != own) {
            return new Targets(group, List.of(pid), "process group " + group + " (agent pid " + pid + ")");
        }
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        List<Long> spare = new ArrayList<>();
        spare.add(ProcessHandle.current().pid());
        ProcessHandle.current().parent().ifPresent(p -> {
            spare.add(p.pid());
            p.parent().ifPresent(g -> spare.add(g.pid()));
        });
        if (isAncestorOfThisProcess(pid)) {
            // inline, this process is the agent's proxy: its server child is ended by the proxy itself
            // (stdin closed, then SIGTERM after a grace) once the agent is gone, so it shuts down cleanly
            ProcessHandle.current().descendants().forEach(d -> spare.add(d.pid()));
        }
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> {
            if (!spare.contains(d.pid())) {
                pids.add(d.pid());
            }
        }));
        return new Targets(-1, pids, "pid " + pid + (pids.size() > 1 ? " and its " + (pids.size() - 1) + " descendants" : "")
                + (group > 0 ? " (its process group " + group + " is this process's own)" : ""));
    }

    private static boolean isAncestorOfThisProcess(long pid) {
        java.util.Optional<ProcessHandle> p = ProcessHandle.current().parent();
        while (p.isPresent()) {
            if (p.get().pid() == pid) {
                return true;
            }
            p = p.get().parent();
        }
        return false;
    }

    /** Zombies still count as group members for kill -0; look for a live one in /proc. */
    private static boolean groupHasLiveMember(long group) {
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                long pid = Long.parseLong(name);
                String[] f = statFields(pid);
                if (f != null && f.length > 2 && f[2].equals(Long.toString(group)) && alive(pid)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }
}
