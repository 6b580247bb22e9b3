package org.emaillistener.common.redis;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * How values are written to Redis: plain JSON that an operator can read with {@code redis-cli}. It is
 * its own mapper, not the application's, whose Creatio dialect is for the wire. A field this version
 * does not know (written by a newer replica during a rolling upgrade) is ignored.
 */
final class StoredJson {

    static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private StoredJson() {
    }
}
