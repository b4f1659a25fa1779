# tocsin_embed(<target> NAMESPACE <ns> BASE_DIR <dir> FILES <f>...)
#
# Generates a C++ source that holds the listed files as byte arrays, plus a lookup
# table `<ns>::kEmbeddedFiles` (path relative to BASE_DIR → contents). Used for the
# SQL migrations and the web dashboard, so the binary runs from any directory.
function(tocsin_embed target)
  cmake_parse_arguments(ARG "" "NAMESPACE;BASE_DIR" "FILES" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cc")
  set(list_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.list")
  string(REPLACE ";" "\n" file_lines "${ARG_FILES}")
  file(GENERATE OUTPUT "${list_file}" CONTENT "${file_lines}\n")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DOUT=${out} -DLIST=${list_file} -DNAMESPACE=${ARG_NAMESPACE}
            -DBASE_DIR=${ARG_BASE_DIR} -P "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake"
    DEPENDS ${ARG_FILES} "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake" "${list_file}"
    COMMENT "Embedding ${target}"
    VERBATIM)
  add_library(${target} STATIC "${out}")
  target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}/include")
  target_link_libraries(${target} PRIVATE tocsin_options)
  target_compile_options(${target} PRIVATE -Wno-overlength-strings)
endfunction()
