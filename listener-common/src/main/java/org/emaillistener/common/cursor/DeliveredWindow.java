package org.emaillistener.common.cursor;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;

/**
 * @param window how many recently delivered Message-IDs each mailbox remembers, to recognise mail
 *        already delivered when a folder is resynchronised
 */
@Validated
@ConfigurationProperties("listener.dedup")
public record DeliveredWindow(@DefaultValue("10000") @Min(1) int window) {
}
