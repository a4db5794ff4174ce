/*
 * sealink on ESP32-DevKitC: Wi-Fi up (the RNG needs RF for true entropy),
 * NVS, then the core under WAMR (boards/common/sealink_runner.h) and the loop
 *   wait = fw_step(); select(sockets, min(wait, console poll)); receive; console.
 * The serial console (boards/common/sealink_console.h) takes `enroll sealink1:...`,
 * `reading <feed> <text>` (sealed on the device to the owner), `send <text>`,
 * `status`, `did`. A sensor task would seal its samples the same way, with
 * sealink_runner_reading(feed, data, len) from this loop (the runner is not
 * thread-safe).
 */
#include <stdio.h>
#include "driver/uart.h"
#include "esp_log.h"
#include "esp_heap_caps.h"
#include "esp_system.h"
#include "nvs_flash.h"
#include "sdkconfig.h"
#include "board_esp32.h"
#include "sealink_console.h"
#include "sealink_core_image.h"    /* CORE_IMAGE: the AOT image or the .wasm, by CONFIG_SEALINK_RUN_AOT */
#include "sealink_runner.h"

#define CONSOLE_UART CONFIG_ESP_CONSOLE_UART_NUM
#define CONSOLE_POLL_MS 100

static const char *TAG = "sealink";

static void console_print(const char *line)
{
    printf("%s\n", line);
}

static void fatal(const char *what)
{
    ESP_LOGE(TAG, "%s: %s; restarting in 5 s", what, sealink_runner_error());
    vTaskDelay(pdMS_TO_TICKS(5000));
    esp_restart();
}

void app_main(void)
{
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        /* Only after a partition-table change; it forgets the identity. */
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);
    if (board_wifi_connect(30000) != 0) ESP_LOGW(TAG, "no Wi-Fi yet: the core retries its link on its own timers");

    ESP_ERROR_CHECK(uart_driver_install(CONSOLE_UART, 512, 0, 0, NULL, 0));
    sealink_console_init(console_print);

    /* No fixed pool: the ESP32's DRAM is split into regions and its largest
     * free block after Wi-Fi is ~100 KiB, so WAMR takes the IDF heap. */
    const struct sealink_runner_config cfg = {
        .module = CORE_IMAGE, .module_len = sizeof CORE_IMAGE,
        .pool = NULL, .pool_len = 0,
        .stack_bytes = CONFIG_SEALINK_WAMR_STACK_KB * 1024,
    };
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    int32_t st = sealink_runner_start(&cfg);
    if (st != 0) {
        ESP_LOGE(TAG, "sealink_runner_start: %d", (int)st);
        fatal("core did not start");
    }
    ESP_LOGI(TAG, "core up; WAMR holds %u bytes of heap, %u free, lowest ever %u",
             (unsigned)(free_before - heap_caps_get_free_size(MALLOC_CAP_8BIT)),
             (unsigned)heap_caps_get_free_size(MALLOC_CAP_8BIT), (unsigned)heap_caps_get_minimum_free_size(MALLOC_CAP_8BIT));
    sealink_console_banner();

    for (;;) {
        int32_t wait = sealink_runner_step();
        if (wait < 0) fatal("fw_step");
        if (wait > CONSOLE_POLL_MS) wait = CONSOLE_POLL_MS;
        fd_set rfds;
        int maxfd = -1;
        FD_ZERO(&rfds);
        struct timeval tv = { .tv_sec = 0, .tv_usec = wait * 1000 };
        if (board_net_fill(&rfds, &maxfd) > 0) {
            if (select(maxfd + 1, &rfds, NULL, NULL, &tv) > 0) {
                for (int32_t h = 0; h < SEALINK_NET_MAX; h++) {
                    if (board_net_ready(h, &rfds) && sealink_runner_receive(h, sealink_net_read, NULL, 8) == SEALINK_RUNNER_TRAP) {
                        fatal("fw_on_packet");
                    }
                }
            }
        } else {
            vTaskDelay(pdMS_TO_TICKS(wait > 0 ? wait : 1));
        }
        uint8_t in[64];
        int n = uart_read_bytes(CONSOLE_UART, in, sizeof in, 0);
        for (int i = 0; i < n; i++) sealink_console_feed((char)in[i]);
    }
}
