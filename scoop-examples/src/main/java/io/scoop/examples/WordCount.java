package io.scoop.examples;

import io.scoop.DistributedExecutor;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * SCOOP's {@code mapReduce} and {@code mapScan}: {@code java -jar scoop-examples.jar mapreduce}. Each line's
 * words are counted by a task, and the counts are merged on the workers as they arrive (a tree of merges, not
 * one final step here); {@code mapScan} gives every running total.
 */
public final class WordCount {
    private WordCount() {
    }

    static final List<String> TEXT = List.of(
            "the quick brown fox jumps over the lazy dog",
            "the dog sleeps and the fox runs",
            "a quick fox is a happy fox",
            "lazy days are the best days",
            "the end");

    static Map<String, Integer> count(String line) {
        Map<String, Integer> counts = new HashMap<>();
        for (String word : line.split("\\s+")) {
            counts.merge(word, 1, Integer::sum);
        }
        return counts;
    }

    static Map<String, Integer> merge(Map<String, Integer> a, Map<String, Integer> b) {
        Map<String, Integer> sum = new HashMap<>(a);
        b.forEach((word, n) -> sum.merge(word, n, Integer::sum));
        return sum;
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) {
        Optional<Map<String, Integer>> counts = pool.mapReduce(WordCount::count, WordCount::merge, TEXT);
        String top = counts.orElseThrow().entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(3).map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        out.println("most frequent: " + top);
        List<Integer> running = pool.mapScan((Integer line) -> TEXT.get(line).split("\\s+").length, Integer::sum,
                IntStream.range(0, TEXT.size()).boxed().toList());
        out.println("words so far, line by line: " + running);
    }

    public static void main(String[] args) {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
