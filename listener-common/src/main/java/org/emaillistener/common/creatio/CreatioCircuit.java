package org.emaillistener.common.creatio;

/**
 * One Creatio's circuit as this process keeps it.
 *
 * @param creatio its scheme, host and port
 * @param state CLOSED, OPEN or HALF_OPEN
 * @param failureRate the percentage of the last calls that failed; -1 until enough calls were made to tell
 * @param calls how many calls the figure is of
 */
public record CreatioCircuit(String creatio, String state, float failureRate, int calls) {
}
