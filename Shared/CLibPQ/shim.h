// libpq, found through pkg-config (Debian: libpq-dev).
#include <libpq-fe.h>
