package io.scoop.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The part of an OpenSSH client configuration ({@code ~/.ssh/config}) that the launcher honours: {@code Host}
 * blocks with patterns ({@code *}, {@code ?}, {@code !negated}), and in them {@code HostName}, {@code User},
 * {@code Port} and {@code IdentityFile}. Every other keyword is ignored, and so is every {@code Match} block.
 *
 * <pre>
 * Host node*  !node00        # node01, node02 ... but not node00
 *     User bob
 * Host gpu1
 *     HostName 10.0.0.7
 *     Port 2222
 *     IdentityFile ~/.ssh/cluster_ed25519
 * </pre>
 */
final class SshConfig {
    /*
     * Implementation notes.
     *
     * As OpenSSH reads it: the blocks are walked in file order, and for each keyword the first value found
     * in a block whose patterns match the alias wins; later blocks only fill keywords still unset. That is
     * why specific hosts go first and "Host *" last. IdentityFile is the exception: every matching value is
     * kept, in order, and all are tried. Lines before the first Host apply to every host. A block matches
     * when one of its patterns matches and none of its negated ones does.
     *
     * Values: "keyword value", "keyword=value", or a value in double quotes. In IdentityFile, '~' and %d are
     * the local home directory, %u the local user, %h the host name (after HostName), %r the remote user and
     * %% a '%'. In HostName, %h is the alias. A relative IdentityFile is taken from the home directory.
     */

    /** Where the standard per-user configuration lives. */
    static final Path DEFAULT_FILE = Path.of(System.getProperty("user.home"), ".ssh", "config");

    /** The standard port. */
    static final int DEFAULT_PORT = 22;

    private static final Pattern KEYWORD_SPLIT = Pattern.compile("\\s*=\\s*|\\s+");

    private final String source;
    private final List<Block> blocks;

    /**
     * Where to connect for one alias, as the configuration says.
     *
     * @param alias         the name the user wrote in the hostfile, e.g. {@code gpu1}
     * @param hostName      the name or address to connect to (HostName, else the alias)
     * @param port          the port (Port, else 22)
     * @param user          the user (User, else the local user)
     * @param identityFiles the keys named by IdentityFile, in order; empty when none is named
     * @param source        where these came from, for messages, e.g. {@code /home/bob/.ssh/config}
     */
    record Target(String alias, String hostName, int port, String user, List<Path> identityFiles, String source) {
        Target {
            identityFiles = List.copyOf(identityFiles);
        }

        /** {@code host:port}, with an IPv6 address in brackets. */
        String address() {
            return (hostName.contains(":") ? "[" + hostName + "]" : hostName) + ":" + port;
        }
    }

    private record Entry(String keyword, String value, int line) {
    }

    private record Block(List<String> patterns, boolean isMatch, List<Entry> entries) {
        boolean appliesTo(String alias) {
            if (isMatch) {
                return false;
            }
            boolean positive = false;
            for (String p : patterns) {
                if (p.startsWith("!")) {
                    if (glob(p.substring(1), alias)) {
                        return false;
                    }
                } else if (glob(p, alias)) {
                    positive = true;
                }
            }
            return positive;
        }
    }

    private SshConfig(String source, List<Block> blocks) {
        this.source = source;
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Reads {@code file}; a missing file is an empty configuration, as for {@code ssh}.
     *
     * @throws IOException if the file exists but cannot be read, or breaks a rule (the message names the file,
     *                     the line and the fix)
     */
    static SshConfig read(Path file) throws IOException {
        try {
            return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
        } catch (NoSuchFileException e) {
            return new SshConfig(file + " (absent)", List.of());
        }
    }

    /**
     * Parses configuration lines.
     *
     * @param lines  the lines of the file
     * @param source the file's name, for messages
     * @throws IOException if a line breaks a rule: a Host without a pattern, or a Port that is not a number
     *                     from 1 to 65535
     */
    static SshConfig parse(List<String> lines, String source) throws IOException {
        List<Block> blocks = new ArrayList<>();
        Block current = new Block(List.of("*"), false, new ArrayList<>());
        blocks.add(current);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] kv = KEYWORD_SPLIT.split(line, 2);
            String keyword = kv[0].toLowerCase(Locale.ROOT);
            String value = kv.length > 1 ? unquote(kv[1].strip()) : "";
            int lineNo = i + 1;
            switch (keyword) {
                case "host" -> {
                    List<String> patterns = List.of(kv.length > 1 ? kv[1].strip().split("\\s+") : new String[0]);
                    if (patterns.isEmpty() || patterns.get(0).isEmpty()) {
                        throw new IOException(source + ":" + lineNo + ": 'Host' needs at least one pattern, as in"
                                + " 'Host node07' or 'Host node*'");
                    }
                    current = new Block(patterns.stream().map(SshConfig::unquote).toList(), false,
                            new ArrayList<>());
                    blocks.add(current);
                }
                case "match" -> {
                    current = new Block(List.of(), true, new ArrayList<>());
                    blocks.add(current);
                }
                case "hostname", "user", "identityfile" -> current.entries().add(new Entry(keyword, value, lineNo));
                case "port" -> {
                    if (!value.matches("\\d{1,5}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 65535) {
                        throw new IOException(source + ":" + lineNo + ": 'Port " + value + "' is not a TCP port;"
                                + " write a number from 1 to 65535, as in 'Port 2222'");
                    }
                    current.entries().add(new Entry(keyword, value, lineNo));
                }
                default -> {
                    // A keyword the launcher does not need (ProxyJump, ForwardAgent, ...): ignored.
                }
            }
        }
        return new SshConfig(source, blocks);
    }

    /**
     * Where to connect for {@code alias}.
     *
     * @param alias     the host as the user wrote it
     * @param localUser the user when the configuration names none (the local user)
     * @param home      the local home directory, for {@code ~} and {@code %d}
     */
    Target resolve(String alias, String localUser, Path home) {
        String hostName = null;
        String user = null;
        Integer port = null;
        List<String> identities = new ArrayList<>();
        for (Block b : blocks) {
            if (!b.appliesTo(alias)) {
                continue;
            }
            for (Entry e : b.entries()) {
                switch (e.keyword()) {
                    case "hostname" -> hostName = hostName == null ? e.value().replace("%h", alias) : hostName;
                    case "user" -> user = user == null ? e.value() : user;
                    case "port" -> port = port == null ? Integer.valueOf(e.value()) : port;
                    case "identityfile" -> identities.add(e.value());
                    default -> throw new IllegalStateException("unexpected keyword " + e.keyword());
                }
            }
        }
        String h = hostName == null ? alias : hostName;
        String u = user == null ? localUser : user;
        List<Path> files = new ArrayList<>();
        for (String id : identities) {
            files.add(expand(id, home, localUser, h, u));
        }
        return new Target(alias, h, port == null ? DEFAULT_PORT : port, u, files, source);
    }

    private static Path expand(String file, Path home, String localUser, String host, String remoteUser) {
        String f = file;
        if (f.equals("~")) {
            f = home.toString();
        } else if (f.startsWith("~/")) {
            f = home + f.substring(1);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c == '%' && i + 1 < f.length()) {
                char t = f.charAt(++i);
                switch (t) {
                    case 'd' -> sb.append(home);
                    case 'u' -> sb.append(localUser);
                    case 'h' -> sb.append(host);
                    case 'r' -> sb.append(remoteUser);
                    case '%' -> sb.append('%');
                    default -> sb.append('%').append(t);
                }
            } else {
                sb.append(c);
            }
        }
        Path p = Path.of(sb.toString());
        return p.isAbsolute() ? p : home.resolve(p);
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    /** Whether {@code name} matches an ssh_config pattern: {@code *} any run of characters, {@code ?} one. */
    static boolean glob(String pattern, String name) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE).matcher(name).matches();
    }

    @Override
    public String toString() {
        return source;
    }
}
