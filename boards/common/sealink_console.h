/*
 * The serial console every WAMR board offers, one command a line:
 *
 *   enroll sealink1:<...> [tcp]   enroll with the owner's claim string (UDP unless tcp)
 *   enroll <hex>            fw_enroll with a binary device bundle in hex (firmware/protocol/conf.ts)
 *   reading <feed> <text>   fw_reading: seal <text> as the next reading of feed (0..65535)
 *                           to the claim's owner; answers "reading ok feed <f> seq <n>"
 *   send <text>             the same as `reading 1 <text>` (nothing typed here leaves
 *                           the board unsealed; raw DATA is sealink_runner_send's job)
 *   status                  print the state, counters, reading epoch and next seq
 *   did                     print the device's did:key
 *
 * Answers are lines starting "sealink: ". The board feeds received bytes and
 * provides the print function (UART, RTT, USB CDC). The console calls only
 * sealink_runner_enroll/_reading/_status/_public_key: a board that runs the
 * core another way (boards/host, wasm2c) implements those four.
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
