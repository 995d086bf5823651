/**
 * The submitting side: {@link io.scoop.root.RootClient} (the connection to the broker and the only
 * completer of futures), {@link io.scoop.root.RemoteFuture}, {@link io.scoop.root.MapIterator} (lazy,
 * windowed, chunked {@code map}). Not API.
 */
package io.scoop.root;
