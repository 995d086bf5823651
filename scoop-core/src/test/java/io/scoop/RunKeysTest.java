package io.scoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The key line: round trip, what it holds and what it leaves out, and the errors for malformed lines. */
class RunKeysTest {
    private static final String CURVE_FORMAT = "a key line is 'scoop-curve-1' and 3 keys (the broker's public key,"
            + " the members' public key, the members' secret key) of 40 Z85 characters each, separated by single"
            + " spaces, on one line";
    private static final String TOKEN_FORMAT = "a token line is 'scoop-token-1' and one token of 40 Z85 characters,"
            + " separated by a single space, on one line";
    private static final String FIX = ": pass the line the launcher (or RunKeys.memberLine()) wrote for this run,"
            + " unchanged and whole";
    private static final String RULE = CURVE_FORMAT + FIX;
    private static final String TOKEN_RULE = TOKEN_FORMAT + FIX;

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

        assertEquals("malformed Scoop key line: its first word is neither 'scoop-curve-1' nor 'scoop-token-1'; "
                + CURVE_FORMAT + ", or " + TOKEN_FORMAT + FIX, e.getMessage());
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
        assertTrue(e.getMessage().startsWith("malformed Scoop key line: its first word is neither 'scoop-curve-1'"
                + " nor 'scoop-token-1'"), e.getMessage());
    }

    /** A header of another version of either kind is named as such. */
    @Test
    void parse_otherVersionHeader_suggestsAnotherScoopVersion() {
        for (String header : new String[] {"scoop-curve-2", "scoop-token-2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunKeys.parse(header + " " + token.memberLine().split(" ")[1]));
            assertTrue(e.getMessage().contains("nor 'scoop-token-1' (a key line of another Scoop version?); "),
                    e.getMessage());
        }
    }

    /* ---------------- tokens ---------------- */

    private final RunKeys token = RunKeys.token();

    /** parse(memberLine()) of a token gives the same token, which is its own member copy and serves a broker. */
    @Test
    void parse_tokenLine_givesTheSameToken() {
        RunKeys parsed = RunKeys.parse(token.memberLine());

        assertEquals(token, parsed);
        assertFalse(parsed.isCurve());
        assertTrue(keys.isCurve());
        assertTrue(parsed.hasBrokerSecret(), "a token serves a broker as it is");
        assertSame(token, token.forMembers());
        assertEquals(token.memberLine(), parsed.memberLine());
        assertEquals(token, RunKeys.parse(token.memberLine() + "\r\n"));
        assertNotEquals(token, keys);
        assertNotEquals(keys, token);
        assertNotEquals(token, RunKeys.token());
    }

    /** A token line is the header and 40 Z85 characters (32 random bytes); each token differs. */
    @Test
    void token_lineHasTheHeaderAnd40Z85Characters() {
        String[] words = token.memberLine().split(" ");

        assertEquals(2, words.length);
        assertEquals("scoop-token-1", words[0]);
        assertEquals(40, words[1].length());
        assertEquals(32, org.zeromq.ZMQ.Curve.z85Decode(words[1]).length);
        assertArrayEquals(words[1].getBytes(StandardCharsets.US_ASCII), token.plainPassword());
        assertNotEquals(token.memberLine(), RunKeys.token().memberLine());
    }

    /** A token's toString names only the kind; CURVE accessors and the PLAIN password refuse the wrong kind. */
    @Test
    void token_toStringAndAccessorsOfTheOtherKind() {
        assertEquals("RunKeys[token]", token.toString());
        assertEquals("RunKeys[token]", RunKeys.parse(token.memberLine()).toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, token::memberSecretKey);
        assertEquals("these run keys are a token (ZeroMQ PLAIN), not CURVE keys: CURVE keys come from"
                + " RunKeys.generate()", e.getMessage());
        assertThrows(IllegalStateException.class, token::brokerPublicKey);
        assertThrows(IllegalStateException.class, token::brokerSecretKey);
        assertThrows(IllegalStateException.class, token::memberPublicKey);
        IllegalStateException p = assertThrows(IllegalStateException.class, keys::plainPassword);
        assertEquals("these run keys are CURVE keys, not a token: a PLAIN password comes from RunKeys.token()",
                p.getMessage());
    }

    /** A token line with a missing or extra word says how many words it has, and never shows the token. */
    @Test
    void parse_tokenLineWrongWordCount_countsTheWords() {
        String t = token.memberLine().split(" ")[1];
        for (String line : new String[] {"scoop-token-1", "scoop-token-1 " + t + " " + t, "scoop-token-1  " + t}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunKeys.parse(line));
            int words = line.split(" ", -1).length;
            assertEquals("malformed Scoop token line: it has " + words + " words separated by single spaces, not 2; "
                    + TOKEN_RULE, e.getMessage());
            assertFalse(e.getMessage().contains(t.substring(0, 10)));
        }
    }

    /** A truncated token, or one with a character outside Z85, is named by length or position, not content. */
    @Test
    void parse_malformedToken_namesTheRuleButNotTheToken() {
        String t = token.memberLine().split(" ")[1];

        IllegalArgumentException shortToken = assertThrows(IllegalArgumentException.class,
                () -> RunKeys.parse("scoop-token-1 " + t.substring(1)));
        IllegalArgumentException badChar = assertThrows(IllegalArgumentException.class,
                () -> RunKeys.parse("scoop-token-1 " + t.substring(0, 6) + "~" + t.substring(7)));

        assertEquals("malformed Scoop token line: word 2 (the token) has 39 characters, not 40; " + TOKEN_RULE,
                shortToken.getMessage());
        assertEquals("malformed Scoop token line: word 2 (the token) has a character outside the Z85 alphabet at"
                + " position 7; " + TOKEN_RULE, badChar.getMessage());
        assertFalse(shortToken.getMessage().contains(t.substring(1, 11)));
        assertFalse(badChar.getMessage().contains(t.substring(7, 17)));
    }
}
