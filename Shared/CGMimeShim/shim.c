#include "CGMimeShim.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

static char *copy(const char *text) {
    return text ? strdup(text) : NULL;
}

void fl_gmime_init(void) {
    static gsize initialised = 0;
    if (g_once_init_enter(&initialised)) {
        g_mime_init();
        g_once_init_leave(&initialised, 1);
    }
}

typedef struct {
    fl_message *message;
    size_t cap;
    GString *text;
    size_t attachment_capacity;
} walk_state;

// Parser options are made once per thread; the warning callback finds the message being
// parsed on this thread here.
static __thread fl_message *current_message;
static __thread GMimeParserOptions *thread_options;

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer user_data) {
    (void)offset;
    (void)item;
    (void)user_data;
    if (current_message && code < 32) current_message->warnings |= (1u << code);
}

static GMimeParserOptions *parser_options(void) {
    if (!thread_options) {
        thread_options = g_mime_parser_options_new();
        static const char *fallback[] = {"utf-8", "windows-1252", NULL};
        g_mime_parser_options_set_fallback_charsets(thread_options, fallback);
        g_mime_parser_options_set_rfc2047_compliance_mode(thread_options, GMIME_RFC_COMPLIANCE_LOOSE);
        g_mime_parser_options_set_parameter_compliance_mode(thread_options, GMIME_RFC_COMPLIANCE_LOOSE);
        g_mime_parser_options_set_address_compliance_mode(thread_options, GMIME_RFC_COMPLIANCE_LOOSE);
        g_mime_parser_options_set_warning_callback(thread_options, on_warning, NULL);
    }
    return thread_options;
}

static char *join_references(GMimeReferences *references) {
    if (!references) return NULL;
    GString *joined = g_string_new(NULL);
    for (int i = 0; i < g_mime_references_length(references); i++) {
        if (joined->len) g_string_append_c(joined, ' ');
        g_string_append(joined, g_mime_references_get_message_id(references, i));
    }
    return g_string_free(joined, FALSE);
}

static char *header_references(GMimeObject *object, const char *name) {
    const char *value = g_mime_object_get_header(object, name);
    if (!value) return NULL;
    GMimeReferences *references = g_mime_references_parse(NULL, value);
    char *joined = join_references(references);
    if (references) g_mime_references_free(references);
    if (joined && !*joined) {
        g_free(joined);
        return NULL;
    }
    return joined;
}

// Appends the addr-spec of every mailbox in `list`, group members included, one a line. An
// address holding CR or LF is left out: split at its line breaks, a quoted local part such as
// "\nvictim@example.com\n"@evil.example would yield an address its sender never had.
static void append_mailboxes(GString *joined, InternetAddressList *list, int depth) {
    // RFC 5322 groups do not nest; the depth bound only guards against a parser that lets them.
    if (!list || depth > 4) return;
    int count = internet_address_list_length(list);
    for (int i = 0; i < count; i++) {
        InternetAddress *address = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
            const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
            if (!addr || !*addr || strpbrk(addr, "\r\n")) continue;
            if (joined->len) g_string_append_c(joined, '\n');
            g_string_append(joined, addr);
        } else if (INTERNET_ADDRESS_IS_GROUP(address)) {
            append_mailboxes(joined, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), depth + 1);
        }
    }
}

static char *mailbox_lines(InternetAddressList *list) {
    GString *joined = g_string_new(NULL);
    append_mailboxes(joined, list, 0);
    if (!joined->len) {
        g_string_free(joined, TRUE);
        return NULL;
    }
    // GLib allocates with the system malloc: released with free() in fl_free_message.
    return g_string_free(joined, FALSE);
}

static char *take_glib_string(char *text) {
    // GLib allocates with the system malloc (since 2.46): its strings can be released with
    // free() in fl_free_message, so they are taken as they are.
    return text;
}

// Takes ownership of `bytes`: its buffer becomes the attachment's data (no copy) or is freed.
static void add_attachment(walk_state *state, const char *filename, const char *content_type,
                           const char *content_id, GByteArray *bytes, int is_inline) {
    fl_message *message = state->message;
    if (message->attachment_count == state->attachment_capacity) {
        state->attachment_capacity = state->attachment_capacity ? state->attachment_capacity * 2 : 4;
        message->attachments = realloc(message->attachments, state->attachment_capacity * sizeof(fl_attachment));
    }
    fl_attachment *attachment = &message->attachments[message->attachment_count++];
    memset(attachment, 0, sizeof(*attachment));
    attachment->filename = copy(filename);
    attachment->content_type = copy(content_type);
    attachment->content_id = copy(content_id);
    attachment->is_inline = is_inline;
    attachment->size = bytes ? bytes->len : 0;
    if (!bytes) return;
    if (bytes->len > state->cap) {
        attachment->over_cap = 1;
        g_byte_array_free(bytes, TRUE);
    } else {
        // GLib allocates with the system malloc, so free() in fl_free_message releases it.
        attachment->data = (unsigned char *)g_byte_array_free(bytes, FALSE);
    }
}

static GByteArray *decoded_content(GMimePart *part) {
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (!content) return NULL;
    GMimeStream *memory = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(content, memory);
    // Take the stream's array instead of copying it.
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory));
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(memory), FALSE);
    g_object_unref(memory);
    return bytes;
}

// The part's text in UTF-8. UTF-8 and ASCII parts skip GMime's charset filter (an iconv
// pass that changes nothing); Swift repairs any invalid sequence when it reads the string.
static char *utf8_text(GMimePart *part) {
    const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    if (!charset || g_ascii_strcasecmp(charset, "utf-8") == 0 || g_ascii_strcasecmp(charset, "us-ascii") == 0 ||
        g_ascii_strcasecmp(charset, "utf8") == 0) {
        GByteArray *bytes = decoded_content(part);
        if (!bytes) return NULL;
        g_byte_array_append(bytes, (const guint8 *)"", 1);
        return (char *)g_byte_array_free(bytes, FALSE);
    }
    return g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

static void visit(GMimeObject *parent, GMimeObject *part, gpointer user_data) {
    (void)parent;
    walk_state *state = user_data;
    fl_message *message = state->message;
    GMimeContentType *type = g_mime_object_get_content_type(part);
    char *mime_type = type ? g_mime_content_type_get_mime_type(type) : g_strdup("application/octet-stream");

    if (GMIME_IS_MESSAGE_PART(part)) {
        // An attached message: a forward, or the original inside a bounce.
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
        if (inner) {
            if (!message->original_message_id) message->original_message_id = copy(g_mime_message_get_message_id(inner));
            GMimeStream *memory = g_mime_stream_mem_new();
            g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, memory);
            GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory));
            g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(memory), FALSE);
            g_object_unref(memory);
            add_attachment(state, "message.eml", "message/rfc822", NULL, bytes, 0);
        }
        g_free(mime_type);
        return;
    }
    if (!GMIME_IS_PART(part)) {
        g_free(mime_type);
        return;
    }
    message->part_count++;

    GMimePart *leaf = GMIME_PART(part);
    gboolean attachment = g_mime_part_is_attachment(leaf);
    if (g_ascii_strcasecmp(mime_type, "message/delivery-status") == 0 ||
        g_ascii_strcasecmp(mime_type, "message/global-delivery-status") == 0) {
        GByteArray *bytes = decoded_content(leaf);
        if (bytes) {
            message->is_delivery_report = 1;
            free(message->delivery_status);
            // An empty part's array has no buffer at all: strndup must not see NULL.
            message->delivery_status = strndup(bytes->data ? (const char *)bytes->data : "", bytes->len);
            g_byte_array_free(bytes, TRUE);
        }
    } else if (g_ascii_strcasecmp(mime_type, "text/rfc822-headers") == 0) {
        // The headers of the message a report refers to.
        GMimeParser *parser = g_mime_parser_new();
        GByteArray *bytes = decoded_content(leaf);
        // An empty part has no buffer, and GMime refuses a stream over NULL.
        if (bytes && bytes->len) {
            GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *)bytes->data, bytes->len);
            g_mime_parser_init_with_stream(parser, stream);
            GMimeMessage *headers = g_mime_parser_construct_message(parser, NULL);
            if (headers) {
                if (!message->original_message_id) message->original_message_id = copy(g_mime_message_get_message_id(headers));
                g_object_unref(headers);
            }
            g_object_unref(stream);
        }
        if (bytes) g_byte_array_free(bytes, TRUE);
        g_object_unref(parser);
    } else if (!attachment && GMIME_IS_TEXT_PART(part) && g_mime_content_type_is_type(type, "text", "plain")) {
        char *text = utf8_text(leaf);
        if (text) {
            if (state->text->len) g_string_append(state->text, "\n");
            g_string_append(state->text, text);
            g_free(text);
        }
    } else if (!attachment && !message->html && GMIME_IS_TEXT_PART(part) && g_mime_content_type_is_type(type, "text", "html")) {
        message->html = take_glib_string(utf8_text(leaf));
    } else {
        GByteArray *bytes = decoded_content(leaf);
        GMimeContentDisposition *disposition = g_mime_object_get_content_disposition(part);
        int is_inline = disposition && g_mime_content_disposition_is_attachment(disposition) ? 0 : 1;
        add_attachment(state, g_mime_part_get_filename(leaf), mime_type, g_mime_part_get_content_id(leaf), bytes,
                       attachment ? 0 : is_inline);
    }
    g_free(mime_type);
}

fl_message *fl_parse_message(const unsigned char *data, size_t length, size_t attachment_cap) {
    fl_gmime_init();
    fl_message *message = calloc(1, sizeof(fl_message));

    GMimeParserOptions *options = parser_options();
    current_message = message;

    // Parse the caller's bytes in place: a byte array over them that the stream does not own
    // (g_mime_stream_mem_new_with_buffer would copy the whole message first).
    GByteArray *view = g_byte_array_new_take((guint8 *)data, length);
    GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(view);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *parsed = g_mime_parser_construct_message(parser, options);
    if (!parsed) {
        g_object_unref(parser);
        g_object_unref(stream);
        g_byte_array_free(view, FALSE);
        current_message = NULL;
        return message;
    }
    message->parsed = 1;

    message->subject = copy(g_mime_message_get_subject(parsed));
    message->message_id = copy(g_mime_message_get_message_id(parsed));
    message->in_reply_to = header_references(GMIME_OBJECT(parsed), "In-Reply-To");
    message->references = header_references(GMIME_OBJECT(parsed), "References");

    InternetAddressList *from = g_mime_message_get_from(parsed);
    if (from && internet_address_list_length(from) > 0) {
        InternetAddress *address = internet_address_list_get_address(from, 0);
        message->from_name = copy(internet_address_get_name(address));
        if (INTERNET_ADDRESS_IS_MAILBOX(address))
            message->from_address = copy(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)));
    }
    InternetAddressList *reply_to = g_mime_message_get_reply_to(parsed);
    if (reply_to && internet_address_list_length(reply_to) > 0) {
        InternetAddress *address = internet_address_list_get_address(reply_to, 0);
        if (INTERNET_ADDRESS_IS_MAILBOX(address))
            message->reply_to_address = copy(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)));
    }
    InternetAddressList *to = g_mime_message_get_to(parsed);
    if (to && internet_address_list_length(to) > 0) message->to = take_glib_string(internet_address_list_to_string(to, NULL, FALSE));
    message->to_addresses = mailbox_lines(to);
    InternetAddressList *cc = g_mime_message_get_cc(parsed);
    if (cc && internet_address_list_length(cc) > 0) message->cc = take_glib_string(internet_address_list_to_string(cc, NULL, FALSE));
    message->cc_addresses = mailbox_lines(cc);

    GDateTime *date = g_mime_message_get_date(parsed);
    if (date) {
        message->date = g_date_time_to_unix(date);
        message->has_date = 1;
    }

    GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(parsed));
    int count = g_mime_header_list_get_count(headers);
    message->headers = calloc(count > 0 ? (size_t)count : 1, sizeof(fl_header));
    for (int i = 0; i < count; i++) {
        GMimeHeader *header = g_mime_header_list_get_header_at(headers, i);
        message->headers[i].name = copy(g_mime_header_get_name(header));
        message->headers[i].value = copy(g_mime_header_get_value(header));
    }
    message->header_count = (size_t)count;

    walk_state state = {message, attachment_cap, g_string_new(NULL), 0};
    GMimeObject *body = g_mime_message_get_mime_part(parsed);
    if (body) {
        GMimeContentType *body_type = g_mime_object_get_content_type(body);
        if (body_type) message->mime_type = take_glib_string(g_mime_content_type_get_mime_type(body_type));
        if (GMIME_IS_MULTIPART(body)) {
            g_mime_multipart_foreach(GMIME_MULTIPART(body), visit, &state);
        } else {
            visit(GMIME_OBJECT(parsed), body, &state);
        }
    }
    message->text = state.text->len ? strdup(state.text->str) : NULL;
    g_string_free(state.text, TRUE);

    g_object_unref(parsed);
    g_object_unref(parser);
    g_object_unref(stream);
    g_byte_array_free(view, FALSE);
    current_message = NULL;
    return message;
}

void fl_free_message(fl_message *message) {
    if (!message) return;
    free(message->subject);
    free(message->message_id);
    free(message->in_reply_to);
    free(message->references);
    free(message->from_name);
    free(message->from_address);
    free(message->reply_to_address);
    free(message->to);
    free(message->cc);
    free(message->to_addresses);
    free(message->cc_addresses);
    free(message->text);
    free(message->mime_type);
    free(message->html);
    for (size_t i = 0; i < message->header_count; i++) {
        free(message->headers[i].name);
        free(message->headers[i].value);
    }
    free(message->headers);
    for (size_t i = 0; i < message->attachment_count; i++) {
        free(message->attachments[i].filename);
        free(message->attachments[i].content_type);
        free(message->attachments[i].content_id);
        free(message->attachments[i].data);
    }
    free(message->attachments);
    free(message->delivery_status);
    free(message->original_message_id);
    free(message);
}
