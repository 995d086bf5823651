package io.scoop.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.PrintStream;

/**
 * {@code System.out} and {@code System.err} travel as the receiving JVM's own (so {@code System.out::println}
 * works as a task); any other {@link PrintStream} is an open file or connection of this JVM and is refused.
 */
final class StandardStreamSerializer extends Serializer<PrintStream> {
    @Override
    public void write(Kryo kryo, Output output, PrintStream stream) {
        if (stream == System.out) {
            output.writeByte(1);
        } else if (stream == System.err) {
            output.writeByte(2);
        } else {
            throw new TravelException(Untravelable.article(stream.getClass()) + " other than System.out or"
                    + " System.err, which cannot be sent to another JVM: it writes to a file or connection of this"
                    + " JVM. Return the text from the task and print it here", null);
        }
    }

    @Override
    public PrintStream read(Kryo kryo, Input input, Class<? extends PrintStream> type) {
        return input.readByte() == 2 ? System.err : System.out;
    }
}
