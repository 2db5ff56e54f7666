/**
 * Paths as the operating system resolves them ({@link dev.agenttrace.rules.scope.paths.PathNormaliser})
 * and the file globs of a policy ({@link dev.agenttrace.rules.scope.paths.PathGlob}), compiled once.
 * The only package of the firewall that touches the file system: realpath for symlinks, and a
 * directory listing to expand an unquoted glob in a command.
 */
package dev.agenttrace.rules.scope.paths;
