/*
 * host_rename.h - force-included when lib/ and host tests are built for the
 * host, so lib's libc-named functions do not collide with the host libc.
 * Add a line here for every lib/ function whose name a libc also defines.
 */
#ifndef HOST_RENAME_H
#define HOST_RENAME_H
#define memcpy keel_memcpy
#define memmove keel_memmove
#define memset keel_memset
#define memcmp keel_memcmp
#define memchr keel_memchr
#define strlen keel_strlen
#define strnlen keel_strnlen
#define strcmp keel_strcmp
#define strncmp keel_strncmp
#define strchr keel_strchr
#define strrchr keel_strrchr
#define strstr keel_strstr
#define strlcpy keel_strlcpy
#define strlcat keel_strlcat
#define snprintf keel_snprintf
#define vsnprintf keel_vsnprintf
#endif
