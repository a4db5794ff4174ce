/*
 * Host storage: one file per key in the state directory, mode 0600 (the
 * identity seed and session PSK live here).
 *
 * A put is atomic (contract): the value goes to ".tmp-<key>", is fsync'd,
 * renamed over "<key>", and the directory is fsync'd so the rename itself
 * survives a power cut. After a crash a reader sees the old or the new file,
 * never a mix; a stale ".tmp-" file is just overwritten by the next put.
 * Temp names start with '.', which no key may (boards/common/sealink_key.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "board_host.h"
#include "sealink_hal.h"
#include "sealink_key.h"

static int dir_fd = -1;

int board_storage_init(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (dir_fd >= 0) close(dir_fd);
    dir_fd = fd;
    return 0;
}

static int32_t io_status(int err)
{
    return err == ENOSPC || err == EDQUOT ? HAL_ENOSPC : HAL_EIO;
}

int32_t hal_storage_get(const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_len)
{
    char name[SEALINK_KEY_NAME_BYTES];
    struct stat st;
    if (dir_fd < 0 || sealink_key_name(key, key_len, name) != HAL_OK) return HAL_EINVAL;
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? HAL_ENOENT : HAL_EIO;
    if (fstat(fd, &st) != 0 || st.st_size > INT32_MAX) {
        close(fd);
        return HAL_EIO;
    }
    if ((uint64_t)st.st_size > out_len) {
        close(fd);
        return HAL_EINVAL;
    }
    uint32_t len = (uint32_t)st.st_size, done = 0;
    while (done < len) {
        ssize_t n = read(fd, out + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            close(fd);
            return HAL_EIO;
        }
        done += (uint32_t)n;
    }
    close(fd);
    return (int32_t)len;
}

int32_t hal_storage_put(const uint8_t *key, uint32_t key_len, const uint8_t *value, uint32_t value_len)
{
    char name[SEALINK_KEY_NAME_BYTES], tmp[SEALINK_KEY_NAME_BYTES + 5];
    if (dir_fd < 0 || sealink_key_name(key, key_len, name) != HAL_OK || value_len > INT32_MAX) return HAL_EINVAL;
    snprintf(tmp, sizeof tmp, ".tmp-%s", name);
    int fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return io_status(errno);
    uint32_t done = 0;
    while (done < value_len) {
        ssize_t n = write(fd, value + done, value_len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            close(fd);
            unlinkat(dir_fd, tmp, 0);
            return io_status(err);
        }
        done += (uint32_t)n;
    }
    if (fsync(fd) != 0) {
        int err = errno;
        close(fd);
        unlinkat(dir_fd, tmp, 0);
        return io_status(err);
    }
    if (close(fd) != 0 || renameat(dir_fd, tmp, dir_fd, name) != 0) {
        int err = errno;
        unlinkat(dir_fd, tmp, 0);
        return io_status(err);
    }
    return fsync(dir_fd) == 0 ? HAL_OK : HAL_EIO;
}

int32_t hal_storage_delete(const uint8_t *key, uint32_t key_len)
{
    char name[SEALINK_KEY_NAME_BYTES];
    if (dir_fd < 0 || sealink_key_name(key, key_len, name) != HAL_OK) return HAL_EINVAL;
    if (unlinkat(dir_fd, name, 0) != 0) return errno == ENOENT ? HAL_OK : HAL_EIO;
    return fsync(dir_fd) == 0 ? HAL_OK : HAL_EIO;
}
