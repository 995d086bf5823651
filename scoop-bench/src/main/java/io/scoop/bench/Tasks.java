package io.scoop.bench;

import java.io.Serializable;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** The tasks the workloads run: named classes, so they travel the same way on every path. */
final class Tasks {
    private Tasks() {
    }

    /** W1's trivial task: {@code x + 1}. */
    static final class Inc implements Callable<Integer>, Serializable {
        private static final long serialVersionUID = 1L;
        private final int x;

        Inc(int x) {
            this.x = x;
        }

        @Override
        public Integer call() {
            return x + 1;
        }
    }

    /**
     * W3's CPU-bound task: Monte Carlo pi with a fixed seed and a fixed number of points; returns how many
     * of them fell in the quarter circle. Pure CPU, no allocation in the loop.
     */
    static final class Pi implements Callable<Long>, Serializable {
        private static final long serialVersionUID = 1L;
        private final long seed;
        private final int points;

        Pi(long seed, int points) {
            this.seed = seed;
            this.points = points;
        }

        @Override
        public Long call() {
            return hits(seed, points);
        }

        static long hits(long seed, int points) {
            SplittableRandom r = new SplittableRandom(seed);
            long in = 0;
            for (int i = 0; i < points; i++) {
                double x = r.nextDouble();
                double y = r.nextDouble();
                if (x * x + y * y <= 1.0) {
                    in++;
                }
            }
            return in;
        }
    }
}
