package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ssh configuration parser: aliases, patterns, first match per keyword, IdentityFile expansion, errors. */
class SshConfigTest {
    private static final Path HOME = Path.of("/home/bob");

    @TempDir
    Path dir;

    private static SshConfig.Target resolve(String alias, String... lines) throws IOException {
        return SshConfig.parse(List.of(lines), "test_config").resolve(alias, "bob", HOME);
    }

    /** An alias gets its HostName, User, Port and IdentityFile; ~ is the home directory. */
    @Test
    void resolve_alias_givesHostNameUserPortAndKey() throws IOException {
        SshConfig.Target t = resolve("gpu1",
                "Host gpu1",
                "    HostName 10.0.0.7",
                "    User alice",
                "    Port 2222",
                "    IdentityFile ~/.ssh/cluster_ed25519");
        assertEquals("10.0.0.7", t.hostName());
        assertEquals("alice", t.user());
        assertEquals(2222, t.port());
        assertEquals(List.of(Path.of("/home/bob/.ssh/cluster_ed25519")), t.identityFiles());
        assertEquals("10.0.0.7:2222", t.address());
    }

    /** A host named nowhere connects to itself, on port 22, as the local user, with no key named. */
    @Test
    void resolve_unknownAlias_defaults() throws IOException {
        SshConfig.Target t = resolve("node07", "Host other", "    Port 2200");
        assertEquals(new SshConfig.Target("node07", "node07", 22, "bob", List.of(), "test_config"), t);
    }

    /** The first value of each keyword wins, so a specific block before "Host *" overrides it. */
    @Test
    void resolve_firstMatchWinsPerKeyword() throws IOException {
        String[] config = {
            "Host node07",
            "    Port 2207",
            "Host node*",
            "    User carol",
            "    Port 2200",
            "Host *",
            "    User dave",
            "    Port 2222"};
        SshConfig.Target t = resolve("node07", config);
        assertEquals(2207, t.port());
        assertEquals("carol", t.user());
        SshConfig.Target other = resolve("node08", config);
        assertEquals(2200, other.port());
        assertEquals("dave", resolve("gpu1", config).user());
    }

    /** '?' matches one character, '*' any run, several patterns on one line, a negated pattern excludes. */
    @Test
    void resolve_wildcardsAndNegation() throws IOException {
        String[] config = {
            "Host node? !node0 login",
            "    User erin"};
        assertEquals("erin", resolve("node1", config).user());
        assertEquals("erin", resolve("login", config).user());
        assertEquals("bob", resolve("node0", config).user());
        assertEquals("bob", resolve("node10", config).user());
        assertTrue(SshConfig.glob("*.cluster", "n1.cluster"));
        assertFalse(SshConfig.glob("*.cluster", "n1.cluster.org"));
    }

    /** Every matching IdentityFile is kept, in order, with %h, %r and %d expanded; relative is under home. */
    @Test
    void resolve_identityFilesAccumulateAndExpand() throws IOException {
        SshConfig.Target t = resolve("gpu1",
                "IdentityFile ~/.ssh/global",
                "Host gpu*",
                "    HostName %h.example.org",
                "    User frank",
                "    IdentityFile %d/.ssh/%r@%h",
                "Host *",
                "    IdentityFile=\"keys/last\"");
        assertEquals("gpu1.example.org", t.hostName());
        assertEquals(List.of(Path.of("/home/bob/.ssh/global"), Path.of("/home/bob/.ssh/frank@gpu1.example.org"),
                Path.of("/home/bob/keys/last")), t.identityFiles());
    }

    /** Keywords are case-insensitive, and Match blocks and unknown keywords are ignored. */
    @Test
    void parse_caseInsensitiveKeywords_ignoresMatchAndOthers() throws IOException {
        SshConfig.Target t = resolve("gpu1",
                "Match host gpu1",
                "    User mallory",
                "HOST gpu1",
                "    hostname 10.0.0.9",
                "    ForwardAgent yes",
                "    USER grace");
        assertEquals("10.0.0.9", t.hostName());
        assertEquals("grace", t.user());
    }

    /** A bad Port names the file, the line and the rule. */
    @Test
    void parse_badPort_namesFileLineAndRule() {
        IOException e = assertThrows(IOException.class, () -> resolve("x", "Host x", "  Port 70000"));
        assertEquals("test_config:2: 'Port 70000' is not a TCP port; write a number from 1 to 65535, as in"
                + " 'Port 2222'", e.getMessage());
    }

    /** A missing file is an empty configuration, as for ssh. */
    @Test
    void read_missingFile_isEmpty() throws IOException {
        SshConfig c = SshConfig.read(dir.resolve("absent"));
        assertEquals(22, c.resolve("node1", "bob", HOME).port());
    }
}
