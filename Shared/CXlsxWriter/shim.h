// libxlsxwriter, found through pkg-config (Debian: libxlsxwriter-dev).
#include <xlsxwriter.h>
