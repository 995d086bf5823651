package io.scoop.bench;

import io.scoop.DistributedExecutor;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * A way to start Scoop's worker JVMs, from one {@code --worker-opts} item: JVM options separated by spaces
 * ({@code default} = none), plus optionally {@code cp+=DIR}, which puts DIR before the classpath the workers
 * get (to try a patched class in the workers only, e.g. {@code experiments/jeromq-signaler-fix}).
 */
record Variant(String spec, List<String> jvmOptions, String classpathPrefix) {
    static Variant parse(String spec) {
        List<String> opts = new ArrayList<>();
        String prefix = null;
        for (String o : Jvm.options(spec)) {
            if (o.startsWith("cp+=")) {
                prefix = o.substring(4);
            } else {
                opts.add(o);
            }
        }
        return new Variant(spec.trim(), List.copyOf(opts), prefix);
    }

    /** " [spec]", or "" for the default. */
    String label() {
        return spec.isEmpty() || spec.equals("default") ? "" : " [" + spec + "]";
    }

    DistributedExecutor executor(int workers) {
        DistributedExecutor.Builder b = DistributedExecutor.builder().workers(workers)
                .jvmOptions(jvmOptions.toArray(String[]::new));
        if (classpathPrefix != null) {
            b.classpath(classpathPrefix + File.pathSeparator + Jvm.classpath());
        }
        return b.build();
    }
}
