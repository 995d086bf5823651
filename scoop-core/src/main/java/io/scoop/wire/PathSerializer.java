package io.scoop.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.file.Path;

/**
 * A {@link Path} of the default file system travels as its text and is made again by {@link Path#of} where it
 * lands (the JDK's path classes hold their file system, which does not travel). It names the same file only
 * where both sides see the same file system.
 */
final class PathSerializer extends Serializer<Path> {
    PathSerializer() {
        super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output output, Path path) {
        output.writeString(path.toString());
    }

    @Override
    public Path read(Kryo kryo, Input input, Class<? extends Path> type) {
        return Path.of(input.readString());
    }
}
