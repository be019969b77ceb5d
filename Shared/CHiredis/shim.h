// hiredis, found through pkg-config (Debian: libhiredis-dev). Only the argv entry points are
// used from Swift: redisCommand is variadic and binary-unsafe.
#include <hiredis.h>
