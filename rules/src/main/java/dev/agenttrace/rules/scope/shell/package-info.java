/**
 * Reading shell command lines the way bash will run them, so that rules see programs, not text:
 * splitting into simple commands ({@link dev.agenttrace.rules.scope.shell.ShellParser}), peeling
 * wrappers and finding code handed on ({@link dev.agenttrace.rules.scope.shell.CommandUnwrapper}),
 * sorting arguments by each program's option conventions
 * ({@link dev.agenttrace.rules.scope.shell.OptionConventions}), and finding the files
 * ({@link dev.agenttrace.rules.scope.shell.CommandFileAccess}) and hosts
 * ({@link dev.agenttrace.rules.scope.shell.CommandNetworkAccess}) a command touches. Pure text
 * processing: nothing here looks at the file system or the network.
 */
package dev.agenttrace.rules.scope.shell;
