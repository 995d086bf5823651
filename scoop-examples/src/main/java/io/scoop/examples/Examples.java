package io.scoop.examples;

import java.util.Arrays;

/**
 * Runs one example by name: {@code java -jar scoop-examples.jar [pi|map|invokeall|tree|modern] [args]}. Each
 * example is also a main class of its own. Run them as they are (the embedded default: a broker in this
 * JVM and one worker JVM per core) or under the launcher:
 * {@code java -jar scoop-launcher.jar -n 4 scoop-examples.jar pi}.
 */
public final class Examples {
    private Examples() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "pi" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (name) {
            case "pi" -> MonteCarloPi.main(rest);
            case "map" -> OrderedMap.main(rest);
            case "invokeall" -> InvokeAllSum.main(rest);
            case "tree" -> NestedTree.main(rest);
            case "modern" -> ModernStyle.main(rest);
            default -> {
                System.err.println("unknown example '" + name + "': choose one of pi, map, invokeall, tree, modern");
                System.exit(2);
            }
        }
    }
}
