package io.scoop.wire;

import com.esotericsoftware.kryo.KryoException;

/**
 * Encoding failed for a reason already put in the user's words: what cannot travel, where it was captured,
 * and what to do instead. Whoever reports it shows its message as it stands.
 */
public final class TravelException extends KryoException {
    private static final long serialVersionUID = 1L;

    public TravelException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The message alone: Kryo's serialization trace would repeat what the message already says. */
    @Override
    public String getMessage() {
        return super.getMessage() == null ? null : super.getMessage().replaceAll("\\s*Serialization trace:[\\s\\S]*", "");
    }
}
