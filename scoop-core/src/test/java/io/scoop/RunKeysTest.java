package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The key line: round trip, what it holds and what it leaves out, and the errors for malformed lines. */
class RunKeysTest {
    private static final String RULE = "a key line is 'scoop-curve-1' and 3 keys (the broker's public key, the"
            + " members' public key, the members' secret key) of 40 Z85 characters each, separated by single"
            + " spaces, on one line: pass the line the launcher (or RunKeys.memberLine()) wrote for this run,"
            + " unchanged and whole";

    private final RunKeys keys = RunKeys.generate();

    /* ---------------- round trip ---------------- */

    /** parse(memberLine()) gives the same member keys, without the broker's secret. */
    @Test
    void parse_memberLine_givesTheMemberKeys() {
        RunKeys parsed = RunKeys.parse(keys.memberLine());

        assertEquals(keys.forMembers(), parsed);
        assertFalse(parsed.hasBrokerSecret());
        assertTrue(keys.hasBrokerSecret());
        assertEquals(keys.memberLine(), parsed.memberLine());
    }

    /** writeMemberLine writes the line and a line feed; parse ignores the line end, also CRLF. */
    @Test
    void writeMemberLine_lineWithLineFeed_parsesBack() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        keys.writeMemberLine(out);
        String written = out.toString(StandardCharsets.US_ASCII);

        assertEquals(keys.memberLine() + "\n", written);
        assertEquals(keys.forMembers(), RunKeys.parse(written));
        assertEquals(keys.forMembers(), RunKeys.parse(keys.memberLine() + "\r\n"));
    }

    /** The member line never holds the broker's secret key; each run's keys differ. */
    @Test
    void memberLine_leavesOutTheBrokerSecret_andKeysAreFreshPerRun() {
        String brokerSecret = org.zeromq.ZMQ.Curve.z85Encode(keys.brokerSecretKey());

        assertFalse(keys.memberLine().contains(brokerSecret));
        assertEquals(4, keys.memberLine().split(" ").length);
        assertNotEquals(keys.memberLine(), RunKeys.generate().memberLine());
    }

    /** toString names no key. */
    @Test
    void toString_holdsNoKey() {
        String line = keys.memberLine();
        for (String s : new String[] {keys.toString(), RunKeys.parse(line).toString()}) {
            for (String word : line.split(" ")) {
                assertFalse(s.contains(word.substring(0, 10)), s);
            }
        }
        assertEquals("RunKeys[CURVE, broker and member keys]", keys.toString());
        assertEquals("RunKeys[CURVE, member keys]", keys.forMembers().toString());
    }

    /** A member's keys cannot serve as a broker's. */
    @Test
    void brokerSecretKey_ofMemberKeys_throwsWithTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> keys.forMembers().brokerSecretKey());
        assertEquals("these run keys were read from a member's key line and hold no broker secret key: a CURVE"
                + " broker needs the keys made by RunKeys.generate()", e.getMessage());
    }

    /* ---------------- malformed lines ---------------- */

    /** A line without the header names the rule and the fix. */
    @Test
    void parse_noHeader_namesTheRuleAndTheFix() {
        String line = keys.memberLine().substring(RunKeys.HEADER.length() + 1);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunKeys.parse(line));

        assertEquals("malformed Scoop key line: its first word is not 'scoop-curve-1'; " + RULE, e.getMessage());
    }

    /** A line with a missing key says how many words it has. */
    @Test
    void parse_missingKey_countsTheWords() {
        String line = keys.memberLine().substring(0, keys.memberLine().lastIndexOf(' '));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunKeys.parse(line));

        assertEquals("malformed Scoop key line: it has 3 words separated by single spaces, not 4; " + RULE,
                e.getMessage());
    }

    /** A truncated key is named by position and length, and its content is not in the message. */
    @Test
    void parse_truncatedKey_namesTheWordButNotItsContent() {
        String line = keys.memberLine().substring(0, keys.memberLine().length() - 1);
        String[] words = line.split(" ");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunKeys.parse(line));

        assertEquals("malformed Scoop key line: word 4 (the members' secret key) has 39 characters, not 40; " + RULE,
                e.getMessage());
        assertFalse(e.getMessage().contains(words[3]));
        assertFalse(e.getMessage().contains(words[2]));
    }

    /** A character outside Z85 is named by its position. */
    @Test
    void parse_characterOutsideZ85_namesItsPosition() {
        String[] words = keys.memberLine().split(" ");
        words[2] = words[2].substring(0, 4) + "~" + words[2].substring(5);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunKeys.parse(String.join(" ", words)));

        assertEquals("malformed Scoop key line: word 3 (the members' public key) has a character outside the Z85"
                + " alphabet at position 5; " + RULE, e.getMessage());
    }

    /** An empty line (stdin closed at once, say) is refused with the same rule. */
    @Test
    void parse_emptyLine_refused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunKeys.parse(""));
        assertTrue(e.getMessage().startsWith("malformed Scoop key line: its first word is not 'scoop-curve-1'"));
    }
}
