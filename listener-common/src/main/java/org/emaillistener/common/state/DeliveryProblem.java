package org.emaillistener.common.state;

import java.time.Instant;

/**
 * Why a mailbox's mail is not reaching Creatio: a sync job that failed as often as the delivery
 * limit allows. The mail is not lost (the cursor did not move); the next job tries again, and its
 * success clears the problem.
 *
 * @param folder the folder of the job
 * @param failure the last failure, for people
 * @param at when the job was given up
 */
public record DeliveryProblem(String folder, String failure, Instant at) {
}
