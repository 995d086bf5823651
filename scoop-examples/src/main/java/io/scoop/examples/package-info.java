/**
 * One runnable program per thing a user wants to do with Scoop (OkHttp's recipes): {@link
 * io.scoop.examples.MonteCarloPi} (map over seeds), {@link io.scoop.examples.OrderedMap} (SCOOP's ordered
 * map), {@link io.scoop.examples.InvokeAllSum} (a thread-pool program with one line changed), {@link
 * io.scoop.examples.NestedTree} (tasks that submit tasks). {@link io.scoop.examples.Examples} runs one by
 * name.
 */
package io.scoop.examples;
