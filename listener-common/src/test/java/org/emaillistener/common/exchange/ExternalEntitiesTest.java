package org.emaillistener.common.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import javax.xml.stream.XMLEventReader;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.events.XMLEvent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import microsoft.exchange.webservices.data.core.EwsServiceMultiResponseXmlReader;
import microsoft.exchange.webservices.data.core.ExchangeService;

/**
 * An EWS server is whatever address a caller registers: its XML must not make the listener read a
 * local file or call another host. ews-java-api 2.0's multi-response reader (streaming notifications)
 * builds its own StAX factory, which by the JDK's default resolves external entities.
 */
class ExternalEntitiesTest {

    private HttpServer exfiltration;
    private final AtomicInteger fetched = new AtomicInteger();
    private Path secret;

    @BeforeEach
    void start() throws Exception {
        exfiltration = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        exfiltration.createContext("/", exchange -> {
            fetched.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        exfiltration.start();
        secret = Files.createTempFile("secret-", ".txt");
        Files.writeString(secret, "the listener's encryption key");
    }

    @AfterEach
    void stop() throws Exception {
        exfiltration.stop(0);
        Files.deleteIfExists(secret);
    }

    @Test
    void everyStaxFactoryOfTheProcessIsTheHardenedOne() {
        XMLInputFactory factory = XMLInputFactory.newInstance();

        assertThat(factory).isInstanceOf(HardenedXmlInputFactory.class);
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, true);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, true);
        assertThat(factory.getProperty(XMLInputFactory.SUPPORT_DTD)).isEqualTo(false);
        assertThat(factory.getProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES)).isEqualTo(false);
    }

    @Test
    void ewsStreamingReaderNeitherFetchesNorReadsExternalEntities() throws Exception {
        String url = "http://127.0.0.1:" + exfiltration.getAddress().getPort() + "/exfil";
        String hostile = """
                <?xml version="1.0" encoding="utf-8"?>
                <!DOCTYPE Envelope [
                  <!ENTITY remote SYSTEM "%s">
                  <!ENTITY local SYSTEM "%s">
                ]>
                <Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>&remote;&local;</Body></Envelope>
                """.formatted(url, secret.toUri());
        StringBuilder text = new StringBuilder();

        try {
            EwsServiceMultiResponseXmlReader reader = EwsServiceMultiResponseXmlReader.create(
                    new ByteArrayInputStream(hostile.getBytes(StandardCharsets.UTF_8)), new ExchangeService());
            for (int event = 0; event < 50; event++) {
                reader.read();
                if (reader.isStartElement("http://schemas.xmlsoap.org/soap/envelope/", "Body")) {
                    text.append(reader.readElementValue());
                }
            }
        } catch (Exception refused) {
            // Refusing the document is as good as ignoring its entities.
        }
        text.append(readAll(XMLInputFactory.newInstance(), hostile));

        assertThat(fetched).hasValue(0);
        assertThat(text.toString()).doesNotContain("encryption key");
    }

    private static String readAll(XMLInputFactory factory, String xml) {
        StringBuilder text = new StringBuilder();
        try (InputStream in = new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))) {
            XMLEventReader events = factory.createXMLEventReader(in);
            while (events.hasNext()) {
                XMLEvent event = events.nextEvent();
                if (event.isCharacters()) {
                    text.append(event.asCharacters().getData());
                }
            }
        } catch (Exception refused) {
            // As above.
        }
        return text.toString();
    }
}
