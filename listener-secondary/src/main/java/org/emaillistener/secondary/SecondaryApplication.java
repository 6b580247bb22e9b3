package org.emaillistener.secondary;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication(scanBasePackages = { "org.emaillistener.common", "org.emaillistener.secondary" })
public class SecondaryApplication {

    public static void main(String[] args) {
        SpringApplication.run(SecondaryApplication.class, args);
    }
}
