package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The run-wide defaults the launcher passes to the root as system properties: {@code scoop.maxAttempts} and
 * {@code scoop.taskTimeout} are the builder's defaults, an explicit builder call wins, and a bad value fails
 * with a message naming the property and the format. (That they reach the tasks under the launcher is shown
 * by the launcher's run test.)
 */
class BuilderPropertiesTest {
    @AfterEach
    void clearProperties() {
        System.clearProperty("scoop.maxAttempts");
        System.clearProperty("scoop.taskTimeout");
    }

    @Test
    void maxAttempts_withoutProperty_isThreeAndNotGiven() {
        DistributedExecutor.Builder b = DistributedExecutor.builder();
        assertEquals(3, b.maxAttempts);
        assertFalse(b.maxAttemptsGiven);
    }

    @Test
    void maxAttempts_property_isTheDefault() {
        System.setProperty("scoop.maxAttempts", " 1 ");
        DistributedExecutor.Builder b = DistributedExecutor.builder();
        assertEquals(1, b.maxAttempts);
        assertTrue(b.maxAttemptsGiven);
    }

    @Test
    void maxAttempts_explicitCall_winsOverTheProperty() {
        System.setProperty("scoop.maxAttempts", "1");
        DistributedExecutor.Builder b = DistributedExecutor.builder().maxAttempts(5);
        assertEquals(5, b.maxAttempts);
        assertTrue(b.maxAttemptsGiven);
    }

    @Test
    void maxAttempts_badProperty_failsNamingItAndTheRule() {
        for (String bad : new String[] {"0", "-2", "three", "1.5"}) {
            System.setProperty("scoop.maxAttempts", bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, DistributedExecutor::builder);
            assertEquals("system property scoop.maxAttempts=" + bad + " is not a whole number of 1 or more: write"
                    + " e.g. -Dscoop.maxAttempts=1 (never attempted again) or 5", e.getMessage());
        }
    }

    @Test
    void taskTimeout_property_isTheDefaultAndAnExplicitCallWins() {
        System.setProperty("scoop.taskTimeout", "1500ms");
        assertEquals(Duration.ofMillis(1500), DistributedExecutor.builder().taskTimeout);
        assertEquals(Duration.ofMinutes(2), DistributedExecutor.builder().taskTimeout(Duration.ofMinutes(2)).taskTimeout);
    }
}
