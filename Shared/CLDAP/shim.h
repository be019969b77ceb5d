#include <string.h>
// libldap, found through pkg-config (Debian: libldap-dev).
#include <ldap.h>
#include <sys/time.h>

// Macros that are casts (not plain integers) do not reach Swift: the few we use, as functions.
static inline int frontline_ldap_scope_subtree(void) { return LDAP_SCOPE_SUBTREE; }
static inline int frontline_ldap_scope_base(void) { return LDAP_SCOPE_BASE; }

// A simple bind (name and password) through the non-deprecated call.
static inline int frontline_ldap_simple_bind(LDAP *ld, const char *dn, const char *password) {
    struct berval credentials;
    credentials.bv_val = (char *)(password ? password : "");
    credentials.bv_len = password ? strlen(password) : 0;
    return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &credentials, NULL, NULL, NULL);
}

// Both timeouts: a directory that does not answer fails the lookup instead of holding a ticket.
static inline int frontline_ldap_set_timeouts(LDAP *ld, long seconds) {
    struct timeval timeout = { seconds, 0 };
    int result = ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
    if (result != LDAP_OPT_SUCCESS) return result;
    return ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout);
}

static inline int frontline_ldap_set_int(LDAP *ld, int option, int value) {
    return ldap_set_option(ld, option, &value);
}

static inline int frontline_ldap_search(LDAP *ld, const char *base, int scope, const char *filter, char **attributes,
                                        long seconds, LDAPMessage **result) {
    struct timeval timeout = { seconds, 0 };
    return ldap_search_ext_s(ld, base, scope, filter, attributes, 0, NULL, NULL, &timeout, 100, result);
}
