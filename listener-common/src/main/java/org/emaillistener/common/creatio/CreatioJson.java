package org.emaillistener.common.creatio;

import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON dialect Creatio speaks. Its management calls come from Newtonsoft with
 * {@code QuoteName=false}, so property names arrive unquoted ({@code [{Id:"…",Port:993}]}); names
 * are matched case-insensitively, as Creatio itself reads them. What we write is ordinary strict
 * JSON with the exact PascalCase names of the records, which Creatio's case-sensitive
 * DataContractJsonSerializer needs.
 */
public final class CreatioJson {

    private CreatioJson() {
    }

    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder
                .enable(JsonReadFeature.ALLOW_UNQUOTED_PROPERTY_NAMES, JsonReadFeature.ALLOW_SINGLE_QUOTES)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public static JsonMapper mapper() {
        return configure(JsonMapper.builder()).build();
    }
}
