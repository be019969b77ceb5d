#ifndef FRONTLINE_CCURLSHIM_H
#define FRONTLINE_CCURLSHIM_H

// Typed, non-variadic wrappers around curl_easy_setopt and curl_easy_getinfo, which Swift
// cannot call directly. One wrapper per argument type that libcurl accepts.
#include <curl/curl.h>

typedef size_t (*frontline_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURLcode frontline_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode frontline_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode frontline_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode frontline_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode frontline_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode frontline_curl_setopt_data_callback(CURL *handle, CURLoption option, frontline_curl_data_callback value);

CURLcode frontline_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode frontline_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode frontline_curl_getinfo_string(CURL *handle, CURLINFO info, const char **value);

#endif
