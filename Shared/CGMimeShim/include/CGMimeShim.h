#ifndef FRONTLINE_CGMIMESHIM_H
#define FRONTLINE_CGMIMESHIM_H

#include <stddef.h>

// A parsed email in plain C types: every string is UTF-8 (or NULL), owned by the message and
// released with fl_free_message.

typedef struct {
    char *name;
    char *value;            // decoded (RFC 2047), unfolded
} fl_header;

typedef struct {
    char *filename;         // decoded (RFC 2047/2231), or NULL
    char *content_type;     // "type/subtype"
    char *content_id;       // or NULL
    unsigned char *data;    // decoded content; NULL when over the cap
    size_t size;            // decoded size in bytes
    int over_cap;           // 1 when size exceeded the cap and data was not kept
    int is_inline;
} fl_attachment;

typedef struct {
    int parsed;             // 0 when no message could be read at all
    char *subject;
    char *message_id;       // without angle brackets
    char *in_reply_to;      // without angle brackets
    char *references;       // ids without brackets, separated by spaces
    char *from_name;
    char *from_address;
    char *reply_to_address;
    char *to;               // display form of the To list
    char *cc;
    char *to_addresses;     // addr-specs of the To mailboxes (group members included), one a
                            // line; addresses holding CR or LF are left out; NULL when none
    char *cc_addresses;     // the same for Cc
    long long date;         // Unix seconds
    int has_date;
    char *mime_type;        // of the body: "multipart/mixed", "text/plain", …
    size_t part_count;      // leaf parts found in the body
    char *text;             // inline text/plain parts, joined
    char *html;             // the first inline text/html part
    fl_header *headers;
    size_t header_count;
    fl_attachment *attachments;
    size_t attachment_count;
    int is_delivery_report; // multipart/report with a delivery-status part
    char *delivery_status;  // the message/delivery-status text
    char *original_message_id; // of the message a report refers to, when included
    unsigned int warnings;  // bit (1 << code) for each GMimeParserWarning the parser raised
} fl_message;

/// Call once per process before parsing.
void fl_gmime_init(void);

/// Parses raw RFC 5322 bytes. Never returns NULL; check `parsed` and `warnings`.
fl_message *fl_parse_message(const unsigned char *data, size_t length, size_t attachment_cap);

void fl_free_message(fl_message *message);

#endif
