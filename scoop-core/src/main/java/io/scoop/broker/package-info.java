/**
 * The broker: routes opaque task payloads from roots to workers by credit, and results back; requeues
 * the tasks of lost workers. See {@link io.scoop.broker.Broker} for the task and worker states, and
 * {@code ZapHandler} for who a secured broker (CURVE keys or a token) lets in. Not API.
 */
package io.scoop.broker;
