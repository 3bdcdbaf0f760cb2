// bench/libtorch/json.cpp: the flat JSON lines libtorch_reference prints (in the layout of
// Python's json.dumps, like pytorch_reference.py) and reads back from its child runs.

#include "reference.h"

#include <cmath>
#include <cstdio>

namespace ref {

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (const unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char esc[8];
                std::snprintf(esc, sizeof esc, "\\u%04x", c);
                out += esc;
            } else {
                out += char(c);
            }
        }
    }
    return out + "\"";
}

std::string number(double v, const char* format) {
    if (!std::isfinite(v)) return "null";
    char text[64];
    std::snprintf(text, sizeof text, format, v);
    return text;
}

std::string optionalString(const std::optional<std::string>& s) {
    return s ? quote(*s) : "null";
}

JsonObject& JsonObject::add(const std::string& key, const std::string& jsonValue) {
    body_ += (body_.empty() ? "" : ", ") + quote(key) + ": " + jsonValue;
    return *this;
}

std::string rawField(const std::string& line, const std::string& key) {
    const std::string tag = quote(key) + ": ";
    const auto at = line.find(tag);
    if (at == std::string::npos) return {};
    std::size_t i = at + tag.size(), end = i;
    if (i < line.size() && line[i] == '"') {
        for (end = i + 1; end < line.size() && line[end] != '"'; ++end) {
            if (line[end] == '\\') ++end;
        }
        return line.substr(i, end + 1 - i);
    }
    end = line.find_first_of(",}", i);
    return line.substr(i, end == std::string::npos ? std::string::npos : end - i);
}

std::optional<std::string> stringField(const std::string& line, const std::string& key) {
    const auto raw = rawField(line, key);
    if (raw.size() < 2 || raw.front() != '"') return std::nullopt;
    std::string out;
    for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 2 < raw.size()) ++i;
        out += raw[i];
    }
    return out;
}

double numberField(const std::string& line, const std::string& key) {
    const auto raw = rawField(line, key);
    try {
        return raw.empty() || raw == "null" ? NAN : std::stod(raw);
    } catch (const std::exception&) {
        return NAN;
    }
}

} // namespace ref
