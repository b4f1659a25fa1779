// Escaping of text for markup languages.
#pragma once

#include <string>
#include <string_view>

namespace tocsin {

// Returns `text` escaped for HTML and XML 1.0: & < > " ' become &amp; &lt;
// &gt; &quot; &#39; (the numeric form for ' is valid in HTML 4, HTML5 and
// XML alike), so the result may stand in element content and in a double- or
// single-quoted attribute value. Control characters XML 1.0 forbids (C0
// other than tab, LF and CR) and DEL become a space. Bytes >= 0x80 pass
// through unchanged: the caller supplies UTF-8 (the output is valid UTF-8
// when the input is). Not for other contexts (script, style, URLs, comments).
std::string XmlEscape(std::string_view text);

}  // namespace tocsin
