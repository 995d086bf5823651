package io.scoop.examples;

import java.util.Arrays;

/**
 * Runs one example by name: {@code java -jar scoop-examples.jar NAME [args]}, NAME one of {@value #NAMES}.
 * Each example is also a main class of its own. Run them as they are (the embedded default: a broker in
 * this JVM and one worker JVM per core) or under the launcher:
 * {@code java -jar scoop-launcher.jar -n 4 scoop-examples.jar pi}.
 */
public final class Examples {
    private Examples() {
    }

    static final String NAMES = "pi, map, ascompleted, tree, callbacks, exceptions, mapreduce, shared, sweep,"
            + " batch, invokeall, modern, where";

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "pi" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (name) {
            case "pi" -> MonteCarloPi.main(rest);
            case "map" -> OrderedMap.main(rest);
            case "invokeall" -> InvokeAllSum.main(rest);
            case "tree" -> NestedTree.main(rest);
            case "modern" -> ModernStyle.main(rest);
            case "ascompleted" -> AsCompleted.main(rest);
            case "callbacks" -> Callbacks.main(rest);
            case "exceptions" -> Exceptions.main(rest);
            case "mapreduce" -> WordCount.main(rest);
            case "shared" -> SharedData.main(rest);
            case "sweep" -> Sweep.main(rest);
            case "batch" -> BatchFiles.main(rest);
            case "where" -> WhereRun.main(rest);
            default -> {
                System.err.println("unknown example '" + name + "': choose one of " + NAMES);
                System.exit(2);
            }
        }
    }
}
