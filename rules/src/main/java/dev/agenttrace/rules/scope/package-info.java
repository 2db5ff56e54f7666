/**
 * The {@code .agent-scope.json} firewall: the policy model ({@link dev.agenttrace.rules.scope.ScopePolicy}),
 * its strict parser ({@link dev.agenttrace.rules.scope.ScopePolicyParser}), the tool table
 * ({@link dev.agenttrace.rules.scope.ToolTable}) and the one evaluator
 * ({@link dev.agenttrace.rules.scope.ScopeEvaluator}) that the proxies, {@code watch} and
 * {@code audit} share (docs/DESIGN.md §1, §6).
 *
 * <p>Semantics decided here, where agent-strace 0.32 was silent or wrong:
 * <ul>
 *   <li>A policy that does not parse, or has an unknown key, is an error with file, line, column
 *       and fix, never a silently empty policy. An empty file or {@code {}} is valid and allows
 *       everything, and {@code describe()} says so.</li>
 *   <li>Deny beats allow; a non-empty allow list blocks what it does not match.</li>
 *   <li>File patterns without {@code /} match a name at any depth (gitignore-style), so
 *       {@code .env} catches {@code src/.env}, {@code /root/.env} and, for paths outside the root,
 *       {@code /etc/app/.env}. Patterns with {@code /} are anchored at the project root; a leading
 *       {@code /} or {@code ~/} anchors at the file system or home. A pattern matching a directory
 *       covers its contents. Deny patterns ignore case, allow patterns do not.</li>
 *   <li>Paths are judged as the system will open them: {@code ~} expanded, {@code file:} URLs
 *       decoded, {@code \} as a separator, symlinks and {@code ..} resolved physically, and when
 *       {@code ..} follows a symlink, the lexical reading servers use is judged too. A path
 *       outside the root matches no relative allow pattern. NUL bytes block.</li>
 *   <li>Commands are judged per simple command, wrappers peeled, by tokens: flags as a set with
 *       synonyms, leading positional words as a prefix. Every wrapper layer meets the deny list;
 *       the innermost program meets the allow list. Code that cannot be seen (a computed program
 *       name, a shell reading stdin) is blocked when the policy has command rules.</li>
 *   <li>Hosts are canonicalised (case, trailing dot, IDN, every IPv4 spelling, IPv6) and every
 *       reading of an ambiguous URL must be allowed. {@code localhost} does not imply
 *       {@code 127.0.0.1}.</li>
 *   <li>A tool the table does not know is judged heuristically, and the decision says so.</li>
 * </ul>
 */
package dev.agenttrace.rules.scope;
