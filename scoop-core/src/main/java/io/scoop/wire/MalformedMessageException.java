package io.scoop.wire;

/** A message body did not have the layout its command promises; the message is dropped. */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
        super(message);
    }
}
