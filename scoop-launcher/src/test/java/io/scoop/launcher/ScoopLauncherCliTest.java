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
        return executeWithEnv(Map.of(), args);
    }

    /** Runs the command line as a launcher whose own environment is {@code env}. */
    private int executeWithEnv(Map<String, String> env, String... args) {
        // No batch scheduler's variables: the hosts are this machine, wherever the tests run.
        CommandLine cmd = ScoopLauncher.commandLine(new ScoopLauncher(env, Host::isThisMachine));
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
                "[ARG...]", "Exit codes", "--log=FILE", "-cp, --classpath=PATH[:PATH...]", "--env=NAME[=VALUE]",
                "--prolog=FILE", "--nice=N", "--max-attempts=N", "--task-timeout=DURATION",
                "scoop-launcher [OPTIONS] APP_JAR [ARG...]",
                "scoop-launcher [OPTIONS] -cp PATH[:PATH...] MAIN_CLASS [ARG...]", "APP_JAR|MAIN_CLASS")) {
            assertTrue(help.contains(option), "help lacks " + option + diagnostics());
        }
    }

    /** The examples under --help fit 80 columns: each line shows whole, none wraps in the middle of a command. */
    @Test
    void help_examplesDoNotWrap() {
        assertEquals(0, execute("--help"), diagnostics());
        String help = out.toString();
        List<String> examples = help.substring(help.indexOf("Examples:"), help.indexOf("Hostfile lines:")).lines()
                .filter(l -> !l.isBlank() && !l.equals("Examples:")).toList();
        assertTrue(examples.size() >= 10, help);
        for (String line : examples) {
            assertTrue(line.length() <= 80, "too wide: " + line);
            assertTrue(line.startsWith("  java -jar scoop-launcher.jar ") || line.startsWith("      "),
                    "a wrapped example: " + line + "\n" + help);
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
        assertTrue(err.toString().startsWith("Missing required parameter: 'APP_JAR|MAIN_CLASS'"), diagnostics());
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

    /* ---------------- usage errors: the message and one line, not the help ---------------- */

    /** Every usage error prints its message and one line pointing at --help, never the whole help. */
    @Test
    void usageErrors_printTheMessageAndOneHelpLine() throws IOException {
        Path badHosts = Files.writeString(dir.resolve("hosts.txt"), "node1 slots=x\n");
        List<List<String>> cases = List.of(
                List.of("-n", "1", dir.resolve("no-such-app.jar").toString()),
                List.of("-n", "0", sumJar.toString()),
                List.of("--hostfile", badHosts.toString(), sumJar.toString()),
                List.of("--no-such-option", sumJar.toString()),
                List.of("-n", "1"));
        for (List<String> args : cases) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            assertEquals(2, execute(args.toArray(String[]::new)), args + diagnostics());
            List<String> lines = err.toString().lines().toList();
            assertEquals(ScoopLauncher.HELP_HINT, lines.get(lines.size() - 1), args + diagnostics());
            assertTrue(lines.size() <= 3, "more than the error and the --help line for " + args + diagnostics());
            assertTrue(!err.toString().contains("Usage:") && !err.toString().contains("--hostfile=FILE"),
                    "the help was printed for " + args + diagnostics());
            assertEquals("", out.toString(), args + diagnostics());
        }
    }

    /** An unknown option is named, with picocli's suggestion for a near miss. */
    @Test
    void unknownOption_namedWithSuggestion() {
        assertEquals(2, execute("--dryrun", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Unknown option: '--dryrun'"), diagnostics());
        assertTrue(err.toString().contains("--dry-run"), diagnostics());
    }

    /** --main names a class that is not in the app jar: a usage error before anything starts. */
    @Test
    void main_classNotInJar_exitsTwoBeforeAnythingStarts() {
        Set<Long> childrenBefore = children();
        assertEquals(2, execute("-n", "1", "--main", "com.example.NoSuchMain", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value 'com.example.NoSuchMain' for option '--main': no class"
                + " com.example.NoSuchMain in the app jar " + sumJar + ". Pass the fully qualified name of a class in"
                + " the app jar"), diagnostics());
        assertEquals(childrenBefore, children(), "a process was started");
    }

    /** --main names a class without a main method: a usage error that says so. */
    @Test
    void main_classWithoutMain_exitsTwo() {
        assertEquals(2, execute("-n", "1", "--main", HostList.class.getName(), sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '" + HostList.class.getName() + "' for option '--main': "
                + HostList.class.getName() + " in the app jar " + sumJar + " has no main method"), diagnostics());
    }

    /** The manifest's Main-Class is checked too, and so is -cp's main class. */
    @Test
    void mainClass_fromManifestOrCp_checked() throws IOException {
        Path jar = AppJars.withoutMainClass(dir, SumApp.class);
        assertEquals(2, execute("-n", "1", "-cp", jar.toString(), "com.example.Missing"), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value 'com.example.Missing' for parameter 'MAIN_CLASS': no class"
                + " com.example.Missing in -cp " + jar + "."), diagnostics());
        err.getBuffer().setLength(0);
        Path wrongManifest = dir.resolve("wrong.jar");
        try (var jos = new java.util.jar.JarOutputStream(Files.newOutputStream(wrongManifest), manifest("com.example.Gone"))) {
            jos.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
        }
        assertEquals(2, execute("-n", "1", wrongManifest.toString()), diagnostics());
        assertTrue(err.toString().startsWith("The app jar " + wrongManifest + " names Main-Class com.example.Gone in"
                + " its manifest, but holds no such class."), diagnostics());
    }

    private static java.util.jar.Manifest manifest(String mainClass) {
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, mainClass);
        return m;
    }

    /**
     * --dry-run works without the jar: hostfiles/README's "see any plan" command, as written there (the
     * hostfile's path made absolute, since the tests run in the module's folder).
     */
    @Test
    void dryRun_withoutJar_printsThePlan() {
        Path hosts = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .resolveSibling("hostfiles").resolve("scoop.hosts");
        assertEquals(0, execute("--dry-run", "--hostfile", hosts.toString(), "-n", "10", "app.jar"), diagnostics());
        String plan = out.toString();
        assertTrue(plan.matches("(?s).*node01 +-> 8 .*"), plan);
        assertTrue(plan.contains("<Main-Class of app.jar>"), plan); // shell-quoted in the command line
        assertTrue(plan.contains("(the app jar " + Path.of("app.jar").toAbsolutePath() + " does not exist yet: a real"
                + " run needs it)"), plan);
        assertTrue(plan.contains("(dry run: nothing was started)"), plan);
        assertEquals("", err.toString());
    }

    /** -q: the root and the workers get -Dscoop.log.level=ERROR; with -v it is a usage error. */
    @Test
    void quiet_inThePlan_andNotWithVerbose() {
        assertEquals(0, execute("--dry-run", "-q", "-n", "1", sumJar.toString()), diagnostics());
        assertTrue(out.toString().contains(" -Dscoop.log.level=ERROR "), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(2, execute("-q", "-vv", "-n", "1", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Options '-q' and '-vv' exclude each other"), diagnostics());
    }

    /* ---------------- run-wide options: usage errors ---------------- */

    /** --env with a name no shell takes: exit 2, naming the value, the rule and the fix. */
    @Test
    void env_badName_exitsTwoNamingTheRule() {
        assertEquals(2, execute("--env", "1FOO=x", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '1FOO=x' for option '--env': '1FOO' is not a variable"
                + " name a shell accepts (letters, digits and '_', not starting with a digit). Write --env"
                + " NAME=VALUE, e.g. --env OMP_NUM_THREADS=4, or --env NAME to pass on this launcher's value."),
                diagnostics());
        err.getBuffer().setLength(0);
        assertEquals(2, execute("--env", "A-B=1", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value 'A-B=1' for option '--env': 'A-B' is not a variable"),
                diagnostics());
    }

    /** --env NAME for a variable the launcher does not have: exit 2, naming it and both fixes. */
    @Test
    void env_passThroughOfAnUnsetVariable_exitsTwoNamingIt() {
        assertEquals(2, execute("--env", "SCOOP_TEST_UNSET", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value 'SCOOP_TEST_UNSET' for option '--env': SCOOP_TEST_UNSET"
                + " is not set in the launcher's environment, so there is no value to pass on. Set it first (export"
                + " SCOOP_TEST_UNSET=...), or give the value: --env SCOOP_TEST_UNSET=VALUE."), diagnostics());
    }

    /** --env of a variable the launcher sets for the run itself: exit 2. */
    @Test
    void env_reservedName_exitsTwo() {
        assertEquals(2, execute("--env", "SCOOP_BROKER=tcp://x:1", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value 'SCOOP_BROKER=tcp://x:1' for option '--env': the"
                + " launcher sets SCOOP_BROKER itself for the run"), diagnostics());
    }

    /** --nice outside 0..19: exit 2, naming the value and the range. */
    @Test
    void nice_outOfRange_exitsTwoNamingTheRange() {
        for (String bad : List.of("20", "-1")) {
            err.getBuffer().setLength(0);
            assertEquals(2, execute("--nice", bad, sumJar.toString()), diagnostics());
            assertTrue(err.toString().startsWith("Invalid value '" + bad + "' for option '--nice': a niceness is 0 to"
                    + " 19 (a user may not raise a process's priority above 0). Pass e.g. --nice 10, or leave it"
                    + " out."), diagnostics());
        }
    }

    /** --prolog naming no file: exit 2, naming the path looked for. */
    @Test
    void prolog_missing_exitsTwoNamingThePath() {
        Path missing = dir.resolve("no-such-prolog.sh");
        assertEquals(2, execute("--prolog", missing.toString(), sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '" + missing + "' for option '--prolog': no such file"
                + " (looked for " + missing + "). Pass a shell script to source before each worker starts, e.g."
                + " --prolog setup.sh."), diagnostics());
        err.getBuffer().setLength(0);
        assertEquals(2, execute("--prolog", dir.toString(), sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '" + dir + "' for option '--prolog': not a file"),
                diagnostics());
    }

    /** --max-attempts 0: exit 2, naming the rule and the default. */
    @Test
    void maxAttempts_zero_exitsTwo() {
        assertEquals(2, execute("--max-attempts", "0", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '0' for option '--max-attempts': every task is attempted"
                + " at least once. Pass 1 (a task whose worker dies fails at once) or more, or leave it out for 3."),
                diagnostics());
    }

    /** --task-timeout that scoop.taskTimeout would not read, or zero: exit 2, with the format. */
    @Test
    void taskTimeout_badFormatOrZero_exitsTwoNamingTheFormat() {
        for (String bad : List.of("5x", "1.5s", "s", "-3s", "10 min")) {
            err.getBuffer().setLength(0);
            assertEquals(2, execute("--task-timeout", bad, sumJar.toString()), diagnostics());
            assertTrue(err.toString().startsWith("Invalid value '" + bad + "' for option '--task-timeout': not a"
                    + " duration. Write a positive duration: seconds (90) or a number with ms, s, m or h (1500ms,"
                    + " 90s, 30m, 2h), or leave it out for none."), diagnostics());
        }
        err.getBuffer().setLength(0);
        assertEquals(2, execute("--task-timeout", "0ms", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '0ms' for option '--task-timeout': a task needs more than"
                + " no time."), diagnostics());
    }

    /** --log in a place that cannot be written (under a regular file): exit 2, naming the file. */
    @Test
    void log_unwritable_exitsTwoNamingTheFile() throws IOException {
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        Path log = notADir.resolve("run.log");
        assertEquals(2, execute("--log", log.toString(), "-n", "1", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '" + log + "' for option '--log': " + log + " cannot be"
                + " written ("), diagnostics());
        assertTrue(err.toString().contains("Pass a file in a directory you may write, e.g. --log run.log."),
                diagnostics());
    }

    /** -cp with an entry that does not exist, or an empty entry: exit 2, naming the entry. */
    @Test
    void classpath_missingOrEmptyEntry_exitsTwoNamingIt() {
        Path missing = dir.resolve("lib").resolve("gone.jar");
        String cp = sumJar + ":" + missing;
        assertEquals(2, execute("-cp", cp, SumApp.class.getName()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '" + cp + "' for option '--classpath': no such file or"
                + " directory: " + missing + " (looked for " + missing + "). Each entry is a jar or a directory of"
                + " classes."), diagnostics());
        err.getBuffer().setLength(0);
        assertEquals(2, execute("-cp", sumJar + "::" + dir, SumApp.class.getName()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '" + sumJar + "::" + dir + "' for option '--classpath':"
                + " an empty entry"), diagnostics());
    }

    /** -cp followed by a jar, or by something that is no class name, or with --main: exit 2, showing the syntax. */
    @Test
    void classpath_withAJarOrNoClassOrMain_exitsTwoShowingTheSyntax() {
        assertEquals(2, execute("-cp", dir.toString(), sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '" + sumJar + "' for parameter 'MAIN_CLASS': with -cp, the"
                + " first argument after the options is the main class, not a jar. Put the jar on -cp and name the"
                + " class, e.g. -cp " + dir + ":" + sumJar + " com.example.Main."), diagnostics());
        err.getBuffer().setLength(0);
        assertEquals(2, execute("-cp", sumJar.toString(), "io/scoop/launcher/SumApp"), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value 'io/scoop/launcher/SumApp' for parameter 'MAIN_CLASS':"
                + " not a Java class name."), diagnostics());
        err.getBuffer().setLength(0);
        assertEquals(2, execute("-cp", sumJar.toString(), "--main", "a.B", SumApp.class.getName()), diagnostics());
        assertTrue(err.toString().startsWith("Options '-cp' and '--main' exclude each other"), diagnostics());
    }

    /* ---------------- dry run ---------------- */

    /**
     * The run-wide options in the plan: -cp entries (a jar and a class directory) on the root's classpath with
     * the main class first, the root's -Dscoop.maxAttempts and -Dscoop.taskTimeout, and the workers' setup;
     * --env NAME takes the launcher's value, and -- ends --hosts before the main class.
     */
    @Test
    void dryRun_runWideOptions_showInThePlan() throws IOException {
        Path prolog = Files.writeString(dir.resolve("setup.sh"), "export X=1\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertEquals(0, executeWithEnv(Map.of("LICENSE_SERVER", "lic:1"), "--dry-run", "--prolog", prolog.toString(),
                "--env", "OMP_NUM_THREADS=1", "--env", "LICENSE_SERVER", "--nice", "10", "--max-attempts", "1",
                "--task-timeout", "30m", "-cp", sumJar + ":" + classes, "--hosts", "localhost", "localhost", "--",
                SumApp.class.getName(), "10", "2"), diagnostics());
        String plan = out.toString();
        assertTrue(plan.contains("localhost -> 2"), plan);
        assertTrue(plan.contains("  worker setup: prolog " + prolog + ", nice 10, env OMP_NUM_THREADS, LICENSE_SERVER"
                + " (the variables are the root's too)\n"), plan);
        assertTrue(plan.contains(" -Dscoop.maxAttempts=1 -Dscoop.taskTimeout=30m "), plan);
        assertTrue(plan.contains(":" + sumJar + ":" + classes + " " + SumApp.class.getName() + " 10 2\n"), plan);
    }

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
