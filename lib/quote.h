/* SPDX-License-Identifier: MIT */
/**
 * @file quote.h
 * @brief Making text from a caller or a file safe to quote in a message.
 *
 * D-Bus strings must be valid UTF-8 (libdbus aborts the process when asked
 * to send anything else), and a message must stay short. Text that came
 * from outside is therefore quoted only through these functions: they make
 * it valid UTF-8 and cut it on a character boundary.
 */
#ifndef CHAIR_QUOTE_H
#define CHAIR_QUOTE_H

#include <stdbool.h>
#include <stddef.h>

/** How much of a caller's text a message quotes, in bytes. */
#define CHAIR_QUOTE_MAX 64
/** A buffer that holds any quote of at most CHAIR_QUOTE_MAX bytes. */
#define CHAIR_QUOTE_BUF (CHAIR_QUOTE_MAX + sizeof("...") )

/**
 * Length in bytes of the UTF-8 character at @p s (1 to 4), looking at no
 * more than @p n bytes; 0 if @p s does not start a valid character
 * (overlong forms, surrogates and code points above U+10FFFF are invalid).
 */
size_t chair_utf8_char_len(const char *s, size_t n);

/** True when the @p n bytes at @p s are valid UTF-8. */
bool chair_utf8_valid(const char *s, size_t n);

/**
 * Replaces, in place, every byte that is not part of a valid UTF-8
 * character with '?'. The length does not change. Returns @p s.
 */
char *chair_utf8_scrub(char *s);

/**
 * Copies @p s into @p buf (@p size bytes) for quoting: invalid UTF-8 and
 * control characters become '?', and the text is cut on a character
 * boundary to at most @p max bytes (and to what @p buf holds), with "..."
 * after it when something was cut. @p buf is always NUL-terminated; a NULL
 * @p s quotes as "". Returns @p buf.
 */
const char *chair_quote(const char *s, size_t max, char *buf, size_t size);

/** Quotes @p s with the default bound, in a buffer that lives until the end
 * of the enclosing block. */
#define CHAIR_QUOTE(s) chair_quote((s), CHAIR_QUOTE_MAX, (char[CHAIR_QUOTE_BUF]){ 0 }, CHAIR_QUOTE_BUF)

#endif
