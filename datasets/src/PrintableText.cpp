// Text from a user's file, made safe to echo in a one-line message.
#include "latentlab/PrintableText.h"

#include <cstdio>

namespace latentlab::data {

namespace {

// Length of the UTF-8 sequence at s[i] and its code point; 0 if it is not valid UTF-8
// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short).
size_t utf8Sequence(std::string_view s, size_t i, char32_t& cp) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b = byte(i);
    size_t len = 0;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
        cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        cp = b & 0x07;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

// Code points that move the cursor or reorder text on a terminal: C1 controls, line and
// paragraph separators, bidirectional overrides and isolates.
bool isInvisibleControl(char32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string hexEscape(const char* prefix, unsigned long value, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s%0*lx", prefix, digits, value);
    return buf;
}

} // namespace

std::string quoteCell(std::string_view text, size_t maxChars) {
    std::string out = "'";
    size_t chars = 0;
    size_t i = 0;
    for (; i < text.size() && chars < maxChars; ++chars) {
        const unsigned char b = static_cast<unsigned char>(text[i]);
        if (b < 0x20 || b == 0x7F) {
            switch (b) {
            case '\0': out += "\\0"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out += hexEscape("\\x", b, 2);
            }
            ++i;
        } else if (b < 0x80) {
            out += char(b);
            ++i;
        } else {
            char32_t cp = 0;
            const size_t len = utf8Sequence(text, i, cp);
            if (len == 0) {
                out += hexEscape("\\x", b, 2);
                ++i;
            } else {
                if (isInvisibleControl(cp))
                    out += hexEscape("\\u", cp, 4);
                else
                    out.append(text.substr(i, len));
                i += len;
            }
        }
    }
    out += "'";
    if (i < text.size()) {
        out.insert(out.size() - 1, "\xE2\x80\xA6"); // …
        out += " (" + std::to_string(text.size()) + " bytes)";
    }
    return out;
}

} // namespace latentlab::data
