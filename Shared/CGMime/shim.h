// GMime 3, found through pkg-config (Debian: libgmime-3.0-dev). Swift does not use it directly:
// CGMimeShim wraps the parts Frontline needs behind a plain C API without GLib types.
#include <gmime/gmime.h>
