package io.scoop.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JDK's hidden collection classes ({@code List.of}, {@code Collections.unmodifiableMap},
 * {@code Arrays.asList}, {@code stream().toList()} …) have no public constructor Kryo could use. They are
 * written as their elements and read back as an equivalent: unmodifiable stays unmodifiable, and
 * {@code Arrays.asList} stays a fixed-size list, and {@code Collections.synchronizedList} (set, map) stays
 * synchronized and modifiable. Elements go through Kryo, so they need not be
 * {@code Serializable}.
 */
final class JdkCollectionSerializer extends Serializer<Object> {
    private static final int LIST = 0;
    private static final int SET = 1;
    private static final int MAP = 2;
    private static final int FIXED_LIST = 3;

    private final int kind;
    /** {@code Collections.synchronizedList} and the like: read back as synchronized, modifiable. */
    private final boolean synchronizedView;

    JdkCollectionSerializer(Class<?> type) {
        this.kind = kindOf(type);
        this.synchronizedView = type.getName().startsWith("java.util.Collections$Synchronized");
    }

    static boolean handles(Class<?> type) {
        return kindOf(type) >= 0;
    }

    private static int kindOf(Class<?> type) {
        String n = type.getName();
        if (n.equals("java.util.Arrays$ArrayList")) {
            return FIXED_LIST;
        }
        if (!(n.startsWith("java.util.ImmutableCollections$") || n.startsWith("java.util.Collections$Unmodifiable")
                || n.startsWith("java.util.Collections$Empty") || n.startsWith("java.util.Collections$Singleton")
                || n.startsWith("java.util.Collections$Synchronized"))) {
            return -1;
        }
        if (List.class.isAssignableFrom(type)) {
            return LIST;
        }
        if (Set.class.isAssignableFrom(type)) {
            return SET;
        }
        if (Map.class.isAssignableFrom(type)) {
            return MAP;
        }
        return n.equals("java.util.Collections$SynchronizedCollection") ? LIST : -1;
    }

    @Override
    public void write(Kryo kryo, Output out, Object value) {
        if (kind == MAP) {
            Map<?, ?> m = (Map<?, ?>) value;
            out.writeVarInt(m.size(), true);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                kryo.writeClassAndObject(out, e.getKey());
                kryo.writeClassAndObject(out, e.getValue());
            }
        } else {
            Collection<?> c = (Collection<?>) value;
            out.writeVarInt(c.size(), true);
            for (Object o : c) {
                kryo.writeClassAndObject(out, o);
            }
        }
    }

    @Override
    public Object read(Kryo kryo, Input in, Class<? extends Object> type) {
        int n = in.readVarInt(true);
        switch (kind) {
            case MAP: {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    m.put(kryo.readClassAndObject(in), kryo.readClassAndObject(in));
                }
                return synchronizedView ? Collections.synchronizedMap(m) : Collections.unmodifiableMap(m);
            }
            case SET: {
                Set<Object> s = new LinkedHashSet<>();
                for (int i = 0; i < n; i++) {
                    s.add(kryo.readClassAndObject(in));
                }
                return synchronizedView ? Collections.synchronizedSet(s) : Collections.unmodifiableSet(s);
            }
            default: {
                Object[] a = new Object[n];
                for (int i = 0; i < n; i++) {
                    a[i] = kryo.readClassAndObject(in);
                }
                List<Object> list = Arrays.asList(a);
                if (synchronizedView) {
                    return Collections.synchronizedList(new ArrayList<>(list));
                }
                return kind == FIXED_LIST ? list : Collections.unmodifiableList(new ArrayList<>(list));
            }
        }
    }
}
