package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The launcher's command line, run in this JVM through picocli's {@code execute()} with its output captured:
 * help, usage errors and dry runs. None of these starts a process.
 */
class ScoopLauncherCliTest {
    /*
     * Usage errors must say which value is wrong, which rule it breaks and what to do instead; the tests
     * check all three, and the exit code 2 picocli gives every ParameterException.
     */

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path sumJar;

    @BeforeEach
    void buildJar() throws IOException {
        sumJar = AppJars.withMainClass(dir, SumApp.class);
    }

    private int execute(String... args) {
        // No batch scheduler's variables: the hosts are this machine, wherever the tests run.
        CommandLine cmd = new CommandLine(new ScoopLauncher(Map.of(), Host::isThisMachine));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private String diagnostics() {
        return "\nout:\n" + out + "\nerr:\n" + err;
    }

    /* ---------------- help ---------------- */

    /** --help lists every option and the app jar, and exits with 0. */
    @Test
    void help_listsEveryOption_exitsZero() {
        assertEquals(0, execute("--help"), diagnostics());
        String help = out.toString();
        for (String option : List.of("-n, --workers=N", "--hostfile=FILE", "--hosts=HOST...", "--main=CLASS", "--threads=N", "--jvm-opt=OPT",
                "--root-jvm-opt=OPT", "-v, --verbose", "--tunnel", "--dry-run", "-h, --help", "-V, --version", "APP_JAR",
                "[ARG...]", "Exit codes")) {
            assertTrue(help.contains(option), "help lacks " + option + diagnostics());
        }
    }

    /* ---------------- usage errors ---------------- */

    /** An app jar that does not exist: exit 2, naming the path and what to pass instead. */
    @Test
    void appJar_missing_exitsTwoNamingThePath() {
        Path missing = dir.resolve("no-such-app.jar");
        assertEquals(2, execute("-n", "1", missing.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '" + missing + "' for parameter 'APP_JAR': no such file"
                + " (looked for " + missing + "). Pass the path of the jar that holds your program."), diagnostics());
    }

    /** No app jar at all: exit 2, naming the missing parameter. */
    @Test
    void appJar_notGiven_exitsTwoNamingTheParameter() {
        assertEquals(2, execute("-n", "1"), diagnostics());
        assertTrue(err.toString().startsWith("Missing required parameter: 'APP_JAR'"), diagnostics());
    }

    /** A file that is not a jar: exit 2, saying it cannot be read as one. */
    @Test
    void appJar_notAJar_exitsTwo() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.jar"), "not a zip file");
        assertEquals(2, execute(text.toString()), diagnostics());
        assertTrue(err.toString().contains(text + " cannot be read as a jar"), diagnostics());
    }

    /** A jar without Main-Class and no --main: exit 2, naming the jar and both fixes. */
    @Test
    void appJar_withoutMainClassAndNoMainOption_exitsTwoNamingJarAndFix() throws IOException {
        Path jar = AppJars.withoutMainClass(dir, SumApp.class);
        assertEquals(2, execute("-n", "1", jar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("The app jar " + jar + " has no Main-Class in its manifest, so the"
                + " launcher does not know what to run. Pass the main class with --main, e.g. --main"
                + " com.example.Main, or add a Main-Class entry to the jar's META-INF/MANIFEST.MF."), diagnostics());
    }

    /** -n 0: exit 2, naming the value, the rule and the fix. */
    @Test
    void workers_zero_exitsTwoNamingValueRuleAndFix() {
        assertEquals(2, execute("-n", "0", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '0' for option '--workers': a run needs at least 1"
                + " worker JVM. Pass -n 1 or more, or leave -n out for the default: "
                + Runtime.getRuntime().availableProcessors() + " (one per available processor)."), diagnostics());
    }

    /** --threads 0: exit 2, naming the value and the rule. */
    @Test
    void threads_zero_exitsTwo() {
        assertEquals(2, execute("--threads", "0", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '0' for option '--threads': each worker needs at least 1"
                + " task thread."), diagnostics());
    }

    /** A JVM option without its dash: exit 2, suggesting the dashed, attached form. */
    @Test
    void jvmOpt_withoutDash_exitsTwoSuggestingTheFix() {
        assertEquals(2, execute("--jvm-opt", "Xmx2g", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value 'Xmx2g' for option '--jvm-opt': a JVM option starts"
                + " with '-'. Write it attached, as in --jvm-opt=-Xmx2g (did you mean --jvm-opt=-Xmx2g?)."),
                diagnostics());
    }

    /** --main with a path instead of a class name: exit 2. */
    @Test
    void main_notAClassName_exitsTwo() {
        assertEquals(2, execute("--main", "io/scoop/launcher/SumApp.class", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value 'io/scoop/launcher/SumApp.class' for option '--main':"
                + " not a Java class name."), diagnostics());
    }

    /* ---------------- dry run ---------------- */

    /** --dry-run -n 3 prints the plan (localhost gets 3 workers, the broker, the root command), starts nothing. */
    @Test
    void dryRun_threeWorkers_printsPlanAndStartsNothing() {
        Set<Long> childrenBefore = children();
        assertEquals(0, execute("--dry-run", "-n", "3", "--jvm-opt=-Xmx256m", sumJar.toString(), "10", "3"),
                diagnostics());
        String plan = out.toString();
        assertTrue(plan.contains("localhost -> 3"), plan);
        assertTrue(plan.contains("workers:   3 workers, 1 task thread each (-n 3)"), plan);
        assertTrue(plan.contains("broker:    tcp://127.0.0.1:*"), plan);
        assertTrue(plan.contains("worker JVM options: -Xmx256m"), plan);
        assertTrue(plan.contains("SCOOP_BROKER=<broker address> " + LaunchPlan.javaExecutable()), plan);
        assertTrue(plan.contains(sumJar + " " + SumApp.class.getName() + " 10 3"), plan);
        assertTrue(plan.contains("(dry run: nothing was started)"), plan);
        assertEquals("", err.toString());
        assertEquals(childrenBefore, children(), "a dry run started a process");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("scoop-")),
                "a dry run started a scoop thread (broker?)");
    }

    /** Everything after the app jar goes to the app, options too; --main overrides the manifest. */
    @Test
    void dryRun_optionsAfterAppJar_goToTheApp() throws IOException {
        Path noMain = AppJars.withoutMainClass(dir, ExitApp.class);
        assertEquals(0, execute("--dry-run", "--main", ExitApp.class.getName(), noMain.toString(), "-n", "5",
                "--verbose", "--dry-run"), diagnostics());
        String plan = out.toString();
        assertTrue(plan.contains(noMain + " " + ExitApp.class.getName() + " -n 5 --verbose --dry-run"), plan);
        assertTrue(plan.contains("localhost -> " + Runtime.getRuntime().availableProcessors()), plan);
    }

    /** The value after --jvm-opt is a JVM option even when it starts like one of ours (-verbose:gc vs -v). */
    @Test
    void dryRun_jvmOptionLookingLikeOurOption_goesToTheJvm() {
        assertEquals(0, execute("--dry-run", "--jvm-opt", "-verbose:gc", "--root-jvm-opt", "-ea", sumJar.toString()),
                diagnostics());
        String plan = out.toString();
        assertTrue(plan.contains("worker JVM options: -verbose:gc"), plan);
        assertTrue(plan.contains(LaunchPlan.javaExecutable() + " "
                + String.join(" ", io.scoop.internal.JdkInternals.FLAGS) + " -ea -cp "), plan);
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
