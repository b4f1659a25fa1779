// Files compiled into the binary by cmake/TocsinEmbed.cmake (SQL migrations,
// web dashboard). Each embedding library defines a null-terminated table
// `kEmbeddedFiles` in its own namespace.
#pragma once

#include <string_view>

namespace tocsin {

struct EmbeddedFile {
  const char* path;       // Relative to the embedded directory; nullptr ends a table.
  std::string_view data;  // Static storage; valid for the life of the process.
};

}  // namespace tocsin
