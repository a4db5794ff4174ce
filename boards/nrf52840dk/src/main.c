/*
 * sealink on nRF52840-DK: settings/NVS, USB Ethernet up, then the core under
 * WAMR (boards/common/sealink_runner.h) and the loop
 *   wait = fw_step(); zsock_poll(sockets, min(wait, console poll)); receive; console.
 * The console UART (boards/common/sealink_console.h) takes `enroll sealink1:...`,
 * `reading <feed> <text>` (sealed on the device to the owner), `send <text>`,
 * `status`, `did`. Sensor samples go through sealink_runner_reading(feed, data,
 * len) from this loop (the runner is not thread-safe).
 */
#include <zephyr/device.h>
#include <zephyr/drivers/uart.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/reboot.h>
#include <zephyr/usb/usb_device.h>
#include "board_nrf.h"
#include "sealink_console.h"
#include "sealink_core_image.h"    /* CORE_IMAGE: the AOT image or the .wasm, by CONFIG_SEALINK_RUN_AOT */
#include "sealink_runner.h"

#define CONSOLE_POLL_MS 100

static uint8_t wamr_pool[CONFIG_SEALINK_WAMR_POOL_KB * 1024] __aligned(8);
static const struct device *const console = DEVICE_DT_GET(DT_CHOSEN(zephyr_console));

static void console_print(const char *line)
{
    printk("%s\n", line);
}

static void fatal(const char *what)
{
    printk("sealink: %s: %s; rebooting in 5 s\n", what, sealink_runner_error());
    k_msleep(5000);
    sys_reboot(SYS_REBOOT_COLD);
}

int main(void)
{
    if (board_storage_init() != 0) printk("sealink: settings init failed: storage calls will fail\n");
    if (usb_enable(NULL) != 0) printk("sealink: USB (CDC ECM) failed: no network\n");
    sealink_console_init(console_print);

    const struct sealink_runner_config cfg = {
        .module = CORE_IMAGE, .module_len = sizeof CORE_IMAGE,
        .pool = wamr_pool, .pool_len = sizeof wamr_pool,
        .stack_bytes = CONFIG_SEALINK_WAMR_STACK_KB * 1024,
    };
    int32_t st = sealink_runner_start(&cfg);
    if (st != 0) {
        printk("sealink: sealink_runner_start: %d\n", (int)st);
        fatal("core did not start");
    }
    printk("sealink: core up; WAMR pool high-water %u of %u bytes\n", sealink_runner_pool_highmark(),
           (unsigned)sizeof wamr_pool);
    sealink_console_banner();

    for (;;) {
        int32_t wait = sealink_runner_step();
        if (wait < 0) fatal("fw_step");
        if (wait > CONSOLE_POLL_MS) wait = CONSOLE_POLL_MS;
        struct zsock_pollfd fds[SEALINK_NET_MAX];
        int32_t handles[SEALINK_NET_MAX];
        int n = board_net_pollfds(fds, handles, SEALINK_NET_MAX);
        if (n > 0) {
            if (zsock_poll(fds, n, wait) > 0) {
                for (int i = 0; i < n; i++) {
                    if ((fds[i].revents & (ZSOCK_POLLIN | ZSOCK_POLLERR | ZSOCK_POLLHUP))
                        && sealink_runner_receive(handles[i], sealink_net_read, NULL, 8) == SEALINK_RUNNER_TRAP) {
                        fatal("fw_on_packet");
                    }
                }
            }
        } else {
            k_msleep(wait > 0 ? wait : 1);
        }
        unsigned char c;
        while (uart_poll_in(console, &c) == 0) sealink_console_feed((char)c);
    }
    return 0;
}
