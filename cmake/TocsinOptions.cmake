# Warnings, sanitizers and hardening live on one INTERFACE target that every target
# of ours links (cmake_template pattern), never as global flags: link options must
# reach executables too, and third-party code must not see them.
add_library(tocsin_options INTERFACE)
target_compile_features(tocsin_options INTERFACE cxx_std_20)
target_compile_options(tocsin_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wold-style-cast
  -Wcast-align -Wconversion -Wsign-conversion -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough
  # At -O2, GCC 12 reports -Wnull-dereference from inlined library code (Asio's
  # scheduler, libstdc++'s shared_ptr, Boost.URL) that we cannot change; keep it
  # where it is precise: unoptimized builds, i.e. every test preset.
  $<$<CONFIG:Debug>:-Wnull-dereference>
  $<$<CXX_COMPILER_ID:GNU>:-Wmisleading-indentation -Wduplicated-cond -Wduplicated-branches
                           -Wlogical-op -Wsuggest-override>
  $<$<BOOL:${TOCSIN_WARNINGS_AS_ERRORS}>:-Werror>)
# spdlog is built against Debian's external fmt.
target_compile_definitions(tocsin_options INTERFACE
  SPDLOG_FMT_EXTERNAL
  BOOST_ASIO_NO_DEPRECATED
  BOOST_BEAST_USE_STD_STRING_VIEW
  $<$<BOOL:${TOCSIN_TEST_HOOKS}>:TOCSIN_TEST_HOOKS=1>
  _GLIBCXX_ASSERTIONS
  $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=3>)
target_compile_options(tocsin_options INTERFACE
  -fstack-protector-strong -fcf-protection -fstack-clash-protection)

if(TOCSIN_SANITIZERS)
  target_compile_options(tocsin_options INTERFACE
    -fsanitize=${TOCSIN_SANITIZERS} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(tocsin_options INTERFACE -fsanitize=${TOCSIN_SANITIZERS})
  if(TOCSIN_SANITIZERS MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 warns that Asio's atomic_thread_fence is not understood by TSan.
    target_compile_options(tocsin_options INTERFACE -Wno-tsan)
  endif()
endif()

# libFuzzer: every target of ours gets the coverage instrumentation the fuzzer
# needs (-fsanitize=fuzzer-no-link); only the fuzz targets link the fuzzer's
# main (fuzz/CMakeLists.txt). Clang only.
if(TOCSIN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TOCSIN_FUZZ=ON needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}: "
                        "use `cmake --preset fuzz`, or TOCSIN_FUZZ=OFF for corpus replay")
  endif()
  target_compile_options(tocsin_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
