// Text from a user's file, quoted for a one-line error message: a NUL must not cut the
// message off, a CR or an escape sequence must not garble the terminal, a megabyte cell
// must not make a megabyte line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace latentlab::data {

// The text in single quotes: control characters and invalid UTF-8 as visible escapes
// (\r, \0, \x1b), at most maxChars characters, then "…" and the full length in bytes:
// 'abc…' (1048576 bytes).
std::string quoteCell(std::string_view text, size_t maxChars = 40);

} // namespace latentlab::data
