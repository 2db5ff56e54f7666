/**
 * Hosts: finding URLs in text ({@link dev.agenttrace.rules.scope.network.UrlHosts}), reducing every
 * spelling of a host to one ({@link dev.agenttrace.rules.scope.network.HostName}), and the
 * {@code network.allow} patterns ({@link dev.agenttrace.rules.scope.network.HostPattern}). Never
 * resolves a name: DNS on the hot path would be slow and would itself leak the name.
 */
package dev.agenttrace.rules.scope.network;
