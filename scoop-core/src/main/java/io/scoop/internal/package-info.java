/**
 * Plumbing shared by the roles: socket options (a client's CURVE keys or token among them), the two-socket
 * {@link io.scoop.internal.Link}, forking
 * local worker JVMs ({@link io.scoop.internal.LocalWorkers}), the injected {@link
 * io.scoop.internal.Ticker}. Not API.
 */
package io.scoop.internal;
