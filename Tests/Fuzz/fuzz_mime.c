// libFuzzer target: the GMime shim on arbitrary bytes. Built by run.sh with shim.c compiled in
// (AddressSanitizer sees the shim's own memory work; GMime and GLib are the system's).
#include "CGMimeShim.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Reads every byte of a string the shim hands out, so a missing terminator or a freed buffer
// shows up here rather than in Swift.
static size_t touch(const char *text) {
    return text ? strlen(text) : 0;
}

// A '\n'-separated address list must never carry a CR or an empty line: Swift splits it at
// '\n' and checks each line as one address.
static void check_address_lines(const char *lines) {
    if (!lines) return;
    if (strchr(lines, '\r') || strstr(lines, "\n\n") || lines[0] == '\n' || lines[0] == 0) abort();
    size_t length = strlen(lines);
    if (lines[length - 1] == '\n') abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const size_t cap = 4096;
    fl_message *message = fl_parse_message(data, size, cap);
    if (!message) abort();  // documented never to return NULL
    size_t total = touch(message->subject) + touch(message->message_id) + touch(message->in_reply_to) +
                   touch(message->references) + touch(message->from_name) + touch(message->from_address) +
                   touch(message->reply_to_address) + touch(message->to) + touch(message->cc) +
                   touch(message->to_addresses) + touch(message->cc_addresses) + touch(message->mime_type) +
                   touch(message->text) + touch(message->html) + touch(message->delivery_status) +
                   touch(message->original_message_id);
    (void)total;
    check_address_lines(message->to_addresses);
    check_address_lines(message->cc_addresses);
    if (!message->parsed && (message->header_count || message->attachment_count)) abort();
    for (size_t i = 0; i < message->header_count; i++) {
        touch(message->headers[i].name);
        touch(message->headers[i].value);
    }
    for (size_t i = 0; i < message->attachment_count; i++) {
        fl_attachment *attachment = &message->attachments[i];
        touch(attachment->filename);
        touch(attachment->content_type);
        touch(attachment->content_id);
        if (attachment->data && (attachment->over_cap || attachment->size > cap)) abort();
        if (attachment->over_cap && attachment->data) abort();
        // Reading the first and last byte lets AddressSanitizer check the buffer's extent.
        if (attachment->data && attachment->size) {
            volatile unsigned char edge = attachment->data[0] ^ attachment->data[attachment->size - 1];
            (void)edge;
        }
    }
    fl_free_message(message);
    return 0;
}
