package io.scoop.wire;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lambda call sites of one class, read from its class file: for each {@code invokedynamic} whose bootstrap
 * method is {@code LambdaMetafactory.metafactory} or {@code altMetafactory}, what javac handed the metafactory.
 * Also the first source line of each method, for error messages.
 *
 * <p>Only what lambda re-creation needs is read: the constant pool, the {@code BootstrapMethods} attribute and
 * each method's {@code LineNumberTable}. Any class-file version is read (the parts used have not changed since
 * Java 8); a malformed or truncated file gives an {@link IOException}.
 */
final class LambdaSites {
    /**
     * One call site. {@code interfaceType} is the functional interface's internal name, {@code capturedTypes}
     * the descriptor of the factory (the captured values' types, returning the interface).
     */
    record Site(String samName, String factoryDescriptor, String interfaceType, String samDescriptor,
            int implKind, String implOwner, String implName, String implDescriptor, boolean implInterface,
            String instantiatedDescriptor) {
        String implKey() {
            return implOwner + "." + implName + implDescriptor;
        }
    }

    private static final int UTF8 = 1, INTEGER = 3, FLOAT = 4, LONG = 5, DOUBLE = 6, CLASS = 7, STRING = 8,
            FIELDREF = 9, METHODREF = 10, INTERFACE_METHODREF = 11, NAME_AND_TYPE = 12, METHOD_HANDLE = 15,
            METHOD_TYPE = 16, DYNAMIC = 17, INVOKE_DYNAMIC = 18, MODULE = 19, PACKAGE = 20;

    private static final String METAFACTORY = "java/lang/invoke/LambdaMetafactory";

    private final List<Site> sites;
    private final Map<String, Integer> firstLines;

    private LambdaSites(List<Site> sites, Map<String, Integer> firstLines) {
        this.sites = sites;
        this.firstLines = firstLines;
    }

    List<Site> sites() {
        return sites;
    }

    /** The first source line of method {@code name + descriptor}, or -1 if the class file has none. */
    int firstLine(String name, String descriptor) {
        return firstLines.getOrDefault(name + descriptor, -1);
    }

    /** Reads the class file of {@code type} as its class loader finds it. */
    static LambdaSites of(Class<?> type) throws IOException {
        // Class files are never encapsulated by modules, so this also reads the JDK's own.
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the class file " + resource + " is not readable through " + type.getClassLoader());
            }
            return parse(in.readAllBytes());
        }
    }

    static LambdaSites parse(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file (bad magic number)");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        int[] tags = new int[count];
        int[] a = new int[count];
        int[] b = new int[count];
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            tags[i] = tag;
            switch (tag) {
                case UTF8 -> utf8[i] = in.readUTF();
                case INTEGER, FLOAT -> in.readInt();
                case LONG, DOUBLE -> {
                    in.readLong();
                    i++;
                }
                case CLASS, STRING, METHOD_TYPE, MODULE, PACKAGE -> a[i] = in.readUnsignedShort();
                case FIELDREF, METHODREF, INTERFACE_METHODREF, NAME_AND_TYPE, DYNAMIC, INVOKE_DYNAMIC -> {
                    a[i] = in.readUnsignedShort();
                    b[i] = in.readUnsignedShort();
                }
                case METHOD_HANDLE -> {
                    a[i] = in.readUnsignedByte();
                    b[i] = in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        Pool pool = new Pool(tags, a, b, utf8);
        in.readUnsignedShort(); // access flags
        in.readUnsignedShort(); // this class
        in.readUnsignedShort(); // super class
        in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
        skipMembers(in, null, pool);
        Map<String, Integer> lines = new HashMap<>();
        skipMembers(in, lines, pool);
        int[][] bootstraps = null;
        int attributes = in.readUnsignedShort();
        for (int i = 0; i < attributes; i++) {
            String name = pool.utf8(in.readUnsignedShort());
            int length = in.readInt();
            if (name.equals("BootstrapMethods")) {
                bootstraps = new int[in.readUnsignedShort()][];
                for (int j = 0; j < bootstraps.length; j++) {
                    int handle = in.readUnsignedShort();
                    int[] entry = new int[1 + in.readUnsignedShort()];
                    entry[0] = handle;
                    for (int k = 1; k < entry.length; k++) {
                        entry[k] = in.readUnsignedShort();
                    }
                    bootstraps[j] = entry;
                }
            } else {
                in.skipNBytes(length);
            }
        }
        List<Site> sites = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            if (tags[i] != INVOKE_DYNAMIC || bootstraps == null || a[i] >= bootstraps.length) {
                continue;
            }
            int[] bsm = bootstraps[a[i]];
            if (bsm.length < 4 || tags[bsm[0]] != METHOD_HANDLE || !pool.refOwner(b[bsm[0]]).equals(METAFACTORY)) {
                continue;
            }
            int impl = bsm[2];
            if (tags[bsm[1]] != METHOD_TYPE || tags[impl] != METHOD_HANDLE || tags[bsm[3]] != METHOD_TYPE) {
                continue;
            }
            int nat = b[i];
            String factory = pool.utf8(b[nat]);
            int implRef = b[impl];
            sites.add(new Site(pool.utf8(a[nat]), factory, factory.substring(factory.indexOf(')') + 2,
                    factory.length() - 1), pool.utf8(a[bsm[1]]), a[impl], pool.refOwner(implRef),
                    pool.utf8(a[b[implRef]]), pool.utf8(b[b[implRef]]), tags[implRef] == INTERFACE_METHODREF,
                    pool.utf8(a[bsm[3]])));
        }
        return new LambdaSites(List.copyOf(sites), lines);
    }

    /** Skips the fields or methods table; for methods ({@code lines} not null), records each first line. */
    private static void skipMembers(DataInputStream in, Map<String, Integer> lines, Pool pool) throws IOException {
        int members = in.readUnsignedShort();
        for (int i = 0; i < members; i++) {
            in.readUnsignedShort();
            String name = pool.utf8(in.readUnsignedShort());
            String descriptor = pool.utf8(in.readUnsignedShort());
            int attributes = in.readUnsignedShort();
            for (int j = 0; j < attributes; j++) {
                String attribute = pool.utf8(in.readUnsignedShort());
                int length = in.readInt();
                if (lines != null && attribute.equals("Code")) {
                    int line = firstLine(in, pool);
                    if (line > 0) {
                        lines.put(name + descriptor, line);
                    }
                } else {
                    in.skipNBytes(length);
                }
            }
        }
    }

    /** Reads a Code attribute's body and returns the smallest line of its LineNumberTable, or -1. */
    private static int firstLine(DataInputStream in, Pool pool) throws IOException {
        in.readUnsignedShort(); // max stack
        in.readUnsignedShort(); // max locals
        in.skipNBytes(in.readInt()); // code
        in.skipNBytes(8L * in.readUnsignedShort()); // exception table
        int first = -1;
        int attributes = in.readUnsignedShort();
        for (int i = 0; i < attributes; i++) {
            String name = pool.utf8(in.readUnsignedShort());
            int length = in.readInt();
            if (!name.equals("LineNumberTable")) {
                in.skipNBytes(length);
                continue;
            }
            int entries = in.readUnsignedShort();
            for (int j = 0; j < entries; j++) {
                in.readUnsignedShort(); // start pc
                int line = in.readUnsignedShort();
                first = first < 0 ? line : Math.min(first, line);
            }
        }
        return first;
    }

    /** Constant pool look-ups. */
    private record Pool(int[] tags, int[] a, int[] b, String[] utf8) {
        String utf8(int index) throws IOException {
            if (index <= 0 || index >= tags.length || tags[index] != UTF8) {
                throw new IOException("constant pool entry " + index + " is not a UTF-8 string");
            }
            return utf8[index];
        }

        /** The owner class of the method handle or member reference at {@code index}. */
        String refOwner(int index) throws IOException {
            int ref = tags[index] == METHOD_HANDLE ? b[index] : index;
            return utf8(a[a[ref]]);
        }
    }
}
