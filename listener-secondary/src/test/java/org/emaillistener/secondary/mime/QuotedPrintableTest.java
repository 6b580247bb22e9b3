package org.emaillistener.secondary.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.eclipse.angus.mail.util.QPDecoderStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link QuotedPrintable} decodes to the bytes Angus's {@code QPDecoderStream} reads, and leaves to
 * Angus only the text whose decoding depends on Angus's stream.
 */
class QuotedPrintableTest {

    /** What Angus decodes differently depending on how it is read: "=-", and "=X" or "=CR" at the end. */
    private static final Pattern LEFT_TO_ANGUS = Pattern.compile("(?s)(.*=-.*|.*=[^\\n]|.*=\\r)");

    private static final String[] PIECES = { "=", "=", "=", " ", " ", "\t", "\r", "\n", "\r\n", "A", "a", "f",
            "F", "0", "9", "Z", "z", "-", "g", "\u00fc", "\u0000", "=3D", "=c3=bc", "=\r\n", "=\n" };

    static Stream<String> generated() {
        Random random = new Random(10);
        return IntStream.range(0, 20_000).mapToObj(i -> {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(30); n > 0; n--) {
                text.append(PIECES[random.nextInt(PIECES.length)]);
            }
            return text.toString();
        });
    }

    @ParameterizedTest
    @MethodSource("generated")
    void generatedTextDecodesAsAngusDecodesIt(String text) throws IOException {
        assertDecodesAsAngus(text);
    }

    @ParameterizedTest
    @ValueSource(strings = { "=C3=BCber soft=\r\n break, =\nbare LF, trailing   \r\nend=\r\n",
            "not hex =ZZ, lower =c3=bc, lone = sign, at the end =", "tab\t\r\n=20\r\n", "spaces at the end   ",
            "=\rbare CR soft break", "=\r\r\n", "= \r\n", "=4", "=\r", "=-1 and =-5", "a=3", "=41=\n=42  \n  x" })
    void edgeCasesDecodeAsAngusDecodesThem(String text) throws IOException {
        assertDecodesAsAngus(text);
    }

    private static void assertDecodesAsAngus(String text) throws IOException {
        byte[] encoded = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] decoded = QuotedPrintable.decode(encoded);
        if (decoded == null) {
            assertThat(text).matches(LEFT_TO_ANGUS);
            return;
        }
        try (InputStream angus = new QPDecoderStream(new ByteArrayInputStream(encoded))) {
            assertThat(decoded).isEqualTo(angus.readAllBytes());
        }
    }
}
