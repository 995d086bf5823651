/**
 * What crosses a socket: {@link io.scoop.wire.Command} (every command, once), {@link
 * io.scoop.wire.Messages} (the only class that knows message layouts), and {@link io.scoop.wire.KryoCodec}
 * (user objects, at the root and the workers only). Not API.
 */
package io.scoop.wire;
