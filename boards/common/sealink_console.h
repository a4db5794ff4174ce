/*
 * The serial console every WAMR board offers, one command a line:
 *
 *   enroll sealink1:<...> [tcp]   enroll with the owner's claim string (UDP unless tcp)
 *   enroll <hex>   fw_enroll with a binary device bundle in hex (firmware/protocol/conf.ts)
 *   send <text>    fw_send: queue <text> as one DATA item
 *   status         print the state and counters
 *   did            print the device's did:key
 *
 * Answers are lines starting "sealink: ". The board feeds received bytes and
 * provides the print function (UART, RTT, USB CDC).
 */
#ifndef SEALINK_CONSOLE_H
#define SEALINK_CONSOLE_H

#include <stdint.h>

typedef void (*sealink_print_fn)(const char *line);

/** Sets the print function; call once before feeding. */
void sealink_console_init(sealink_print_fn print);

/** Feeds one received byte; a '\n' or '\r' runs the line. */
void sealink_console_feed(char c);

/** Prints the did:key and the state (boards call it after boot). */
void sealink_console_banner(void);

#endif /* SEALINK_CONSOLE_H */
