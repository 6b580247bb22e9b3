package org.emaillistener.common.exchange;

import java.io.InputStream;
import java.io.Reader;

import javax.xml.stream.EventFilter;
import javax.xml.stream.StreamFilter;
import javax.xml.stream.XMLEventReader;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLReporter;
import javax.xml.stream.XMLResolver;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.util.XMLEventAllocator;
import javax.xml.transform.Source;

/**
 * The StAX factory every {@code XMLInputFactory.newInstance()} of this process returns (named in
 * {@code META-INF/services/javax.xml.stream.XMLInputFactory}): the JDK's own, with DTDs and external
 * entities off, and deaf to anyone turning them on again.
 * <p>
 * Why: ews-java-api 2.0 parses Exchange's streaming notifications and multi-response answers with a
 * factory of its own making that resolves DTDs and external entities (only its single-response reader
 * turns DTDs off). A mailbox's EWS address is whatever a caller of the API registers, so its answers
 * are attacker-controlled XML: with entities resolved, a response naming
 * {@code <!ENTITY x SYSTEM "file:///etc/passwd">} made the listener read the file and send it on.
 * No EWS answer ever carries a DTD (the SOAP 1.1 and 1.2 specifications forbid one in a message).
 */
public final class HardenedXmlInputFactory extends XMLInputFactory {

    private final XMLInputFactory delegate = XMLInputFactory.newDefaultFactory();

    public HardenedXmlInputFactory() {
        delegate.setProperty(SUPPORT_DTD, false);
        delegate.setProperty(IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        delegate.setXMLResolver(refusingResolver());
    }

    private static XMLResolver refusingResolver() {
        return (publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external entities are not resolved: " + systemId);
        };
    }

    @Override
    public void setProperty(String name, Object value) {
        if (SUPPORT_DTD.equals(name) || IS_SUPPORTING_EXTERNAL_ENTITIES.equals(name)) {
            return;
        }
        delegate.setProperty(name, value);
    }

    @Override
    public void setXMLResolver(XMLResolver resolver) {
        // Kept: the refusing resolver.
    }

    @Override
    public XMLStreamReader createXMLStreamReader(Reader reader) throws XMLStreamException {
        return delegate.createXMLStreamReader(reader);
    }

    @Override
    public XMLStreamReader createXMLStreamReader(Source source) throws XMLStreamException {
        return delegate.createXMLStreamReader(source);
    }

    @Override
    public XMLStreamReader createXMLStreamReader(InputStream stream) throws XMLStreamException {
        return delegate.createXMLStreamReader(stream);
    }

    @Override
    public XMLStreamReader createXMLStreamReader(InputStream stream, String encoding) throws XMLStreamException {
        return delegate.createXMLStreamReader(stream, encoding);
    }

    @Override
    public XMLStreamReader createXMLStreamReader(String systemId, InputStream stream) throws XMLStreamException {
        return delegate.createXMLStreamReader(systemId, stream);
    }

    @Override
    public XMLStreamReader createXMLStreamReader(String systemId, Reader reader) throws XMLStreamException {
        return delegate.createXMLStreamReader(systemId, reader);
    }

    @Override
    public XMLEventReader createXMLEventReader(Reader reader) throws XMLStreamException {
        return delegate.createXMLEventReader(reader);
    }

    @Override
    public XMLEventReader createXMLEventReader(String systemId, Reader reader) throws XMLStreamException {
        return delegate.createXMLEventReader(systemId, reader);
    }

    @Override
    public XMLEventReader createXMLEventReader(XMLStreamReader reader) throws XMLStreamException {
        return delegate.createXMLEventReader(reader);
    }

    @Override
    public XMLEventReader createXMLEventReader(Source source) throws XMLStreamException {
        return delegate.createXMLEventReader(source);
    }

    @Override
    public XMLEventReader createXMLEventReader(InputStream stream) throws XMLStreamException {
        return delegate.createXMLEventReader(stream);
    }

    @Override
    public XMLEventReader createXMLEventReader(InputStream stream, String encoding) throws XMLStreamException {
        return delegate.createXMLEventReader(stream, encoding);
    }

    @Override
    public XMLEventReader createXMLEventReader(String systemId, InputStream stream) throws XMLStreamException {
        return delegate.createXMLEventReader(systemId, stream);
    }

    @Override
    public XMLStreamReader createFilteredReader(XMLStreamReader reader, StreamFilter filter)
            throws XMLStreamException {
        return delegate.createFilteredReader(reader, filter);
    }

    @Override
    public XMLEventReader createFilteredReader(XMLEventReader reader, EventFilter filter) throws XMLStreamException {
        return delegate.createFilteredReader(reader, filter);
    }

    @Override
    public XMLResolver getXMLResolver() {
        return delegate.getXMLResolver();
    }

    @Override
    public XMLReporter getXMLReporter() {
        return delegate.getXMLReporter();
    }

    @Override
    public void setXMLReporter(XMLReporter reporter) {
        delegate.setXMLReporter(reporter);
    }

    @Override
    public Object getProperty(String name) {
        return delegate.getProperty(name);
    }

    @Override
    public boolean isPropertySupported(String name) {
        return delegate.isPropertySupported(name);
    }

    @Override
    public void setEventAllocator(XMLEventAllocator allocator) {
        delegate.setEventAllocator(allocator);
    }

    @Override
    public XMLEventAllocator getEventAllocator() {
        return delegate.getEventAllocator();
    }
}
