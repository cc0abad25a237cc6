# Wires one sanitizer build. Every target that links `racefuzz::instrumented` is compiled with the
# build's sanitizer and with libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link), so the
# core models give the fuzzer coverage too. Fuzz targets are added with `racefuzz_add_fuzzer`.
#
# TSan and ASan cannot share a binary, so every fuzzer is built twice: the `tsan` and `asan` presets.

# The build must be the one its preset asked for (ci/configure.py checks the cache from outside):
# a configure that lost the preset's variables (CMake re-runs without them when it deletes a cache
# over a "changed" compiler) stops here instead of producing an unsanitized "tsan" build.
if(RACEFUZZ_SANITIZER STREQUAL "")
  message(FATAL_ERROR "RACEFUZZ_SANITIZER is not set: configure with a preset "
                      "(python3 ci/configure.py tsan|asan|debug|release|coverage, or cmake --preset "
                      "tsan), or pass -DRACEFUZZ_SANITIZER=tsan|asan|none|coverage")
endif()
if(CMAKE_BUILD_TYPE STREQUAL "")
  message(FATAL_ERROR "CMAKE_BUILD_TYPE is not set: configure with a preset (cmake --preset tsan)")
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT CMAKE_C_COMPILER_ID STREQUAL "Clang"
   OR NOT CMAKE_C_COMPILER_VERSION VERSION_EQUAL CMAKE_CXX_COMPILER_VERSION)
  message(FATAL_ERROR "racefuzz needs one clang for C and C++ (libFuzzer, the sanitizers); got "
                      "${CMAKE_C_COMPILER} (${CMAKE_C_COMPILER_ID} ${CMAKE_C_COMPILER_VERSION}) and "
                      "${CMAKE_CXX_COMPILER} (${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION})")
endif()

add_library(racefuzz_instrumented INTERFACE)
add_library(racefuzz::instrumented ALIAS racefuzz_instrumented)
target_compile_options(racefuzz_instrumented INTERFACE -g -fno-omit-frame-pointer)

if(RACEFUZZ_SANITIZER STREQUAL "tsan")
  set(_san -fsanitize=thread)
  set(_probe_feature thread_sanitizer)
  set(RACEFUZZ_FUZZING_ENGINE ON)
elseif(RACEFUZZ_SANITIZER STREQUAL "asan")
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all)
  set(_probe_feature address_sanitizer)
  set(RACEFUZZ_FUZZING_ENGINE ON)
elseif(RACEFUZZ_SANITIZER STREQUAL "coverage")
  set(_san -fprofile-instr-generate -fcoverage-mapping)
  set(RACEFUZZ_FUZZING_ENGINE ON)
elseif(RACEFUZZ_SANITIZER STREQUAL "none")
  set(_san "")
  set(RACEFUZZ_FUZZING_ENGINE OFF)
else()
  message(FATAL_ERROR "RACEFUZZ_SANITIZER must be tsan, asan, none or coverage, not '${RACEFUZZ_SANITIZER}'")
endif()

# Probe: the compiler really builds and links a program carrying the sanitizer (its runtime is
# installed, the flags enable it). A build without it would pass every test that needs it vacuously.
if(_probe_feature)
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "${_san}")
  string(REPLACE ";" " " CMAKE_REQUIRED_FLAGS "${CMAKE_REQUIRED_FLAGS}")
  set(CMAKE_REQUIRED_LINK_OPTIONS ${_san})
  check_cxx_source_compiles("
    #if !__has_feature(${_probe_feature})
    #error the sanitizer is off
    #endif
    int main() { return 0; }" RACEFUZZ_PROBE_${RACEFUZZ_SANITIZER})
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(NOT RACEFUZZ_PROBE_${RACEFUZZ_SANITIZER})
    unset(RACEFUZZ_PROBE_${RACEFUZZ_SANITIZER} CACHE)  # probe again next time
    message(FATAL_ERROR "RACEFUZZ_SANITIZER=${RACEFUZZ_SANITIZER}: ${CMAKE_CXX_COMPILER} cannot "
                        "build a program with ${_san} (is libclang-rt-19-dev installed? bash "
                        "ci/setup.sh); see CMakeFiles/CMakeError.log")
  endif()
endif()

target_compile_options(racefuzz_instrumented INTERFACE ${_san})
target_link_options(racefuzz_instrumented INTERFACE ${_san})
target_compile_definitions(racefuzz_instrumented INTERFACE
  RACEFUZZ_BUILD_NAME="${RACEFUZZ_SANITIZER}")
if(RACEFUZZ_FUZZING_ENGINE)
  target_compile_options(racefuzz_instrumented INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Compiled-in sanitizer defaults (halt_on_error=1 for TSan, ...): a bare run of any binary behaves
# right without TSAN_OPTIONS. sanitizers/*.options are the one source: they are turned into
# <build>/generated/racefuzz/sanitizer_options.h, which default_options.cc includes, and
# .clusterfuzzlite/build.sh copies them for ClusterFuzzLite. The symbolizer is
# the compiler's own llvm-symbolizer, by absolute path (external_symbolizer_path): no binary
# depends on PATH for readable reports.
get_filename_component(_compiler_dir "${CMAKE_CXX_COMPILER}" DIRECTORY)
find_program(RACEFUZZ_SYMBOLIZER llvm-symbolizer HINTS "${_compiler_dir}" NO_DEFAULT_PATH)
find_program(RACEFUZZ_SYMBOLIZER llvm-symbolizer)
function(_racefuzz_read_options var file)
  file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/${file} _lines REGEX "^[^#]")
  if(RACEFUZZ_SYMBOLIZER)
    list(APPEND _lines "external_symbolizer_path=${RACEFUZZ_SYMBOLIZER}")
  endif()
  string(REPLACE ";" ":" _joined "${_lines}")
  set(${var} "${_joined}" PARENT_SCOPE)
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                                                               ${CMAKE_CURRENT_LIST_DIR}/${file})
endfunction()
_racefuzz_read_options(RACEFUZZ_TSAN_OPTIONS tsan.options)
_racefuzz_read_options(RACEFUZZ_ASAN_OPTIONS asan.options)
_racefuzz_read_options(RACEFUZZ_UBSAN_OPTIONS ubsan.options)
set(RACEFUZZ_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
configure_file(${CMAKE_CURRENT_LIST_DIR}/sanitizer_options.h.in
               ${RACEFUZZ_GENERATED_DIR}/racefuzz/sanitizer_options.h @ONLY)
add_library(racefuzz_sanitizer_options INTERFACE)
target_include_directories(racefuzz_sanitizer_options INTERFACE ${RACEFUZZ_GENERATED_DIR})

add_library(racefuzz_sanitizer_defaults OBJECT ${CMAKE_CURRENT_LIST_DIR}/default_options.cc)
target_compile_options(racefuzz_sanitizer_defaults PRIVATE ${_san})
target_link_libraries(racefuzz_sanitizer_defaults PRIVATE racefuzz_sanitizer_options)
target_link_libraries(racefuzz_instrumented INTERFACE
  $<TARGET_OBJECTS:racefuzz_sanitizer_defaults>)

# racefuzz_add_fuzz_binary(<name> SOURCES <files...> [LIBS <libs...>])
# Builds `<name>` as a libFuzzer binary (a standalone replay main in the `debug` build).
function(racefuzz_add_fuzz_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE racefuzz_instrumented ${ARG_LIBS})
  if(RACEFUZZ_FUZZING_ENGINE)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/fuzzers/standalone_main.cc)
  endif()
endfunction()

# racefuzz_add_fuzzer(<name> SOURCES <files...> [LIBS <libs...>])
# A fuzz target: its binary, and its corpora replayed as tests.
function(racefuzz_add_fuzzer name)
  racefuzz_add_fuzz_binary(${name} ${ARGN})
  set_property(GLOBAL APPEND PROPERTY RACEFUZZ_FUZZERS ${name})
  # Every input kept in corpora/<name>/seeds and corpora/<name>/regression replays as a test, in
  # every build: a regression input that starts crashing again fails the suite.
  set(_dirs "")
  foreach(sub seeds regression)
    if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/corpora/${name}/${sub})
      list(APPEND _dirs ${PROJECT_SOURCE_DIR}/corpora/${name}/${sub})
    endif()
  endforeach()
  if(_dirs AND RACEFUZZ_BUILD_TESTS)
    add_test(NAME ${name}_corpus_replay COMMAND ${name} -runs=0 ${_dirs})
    # The same in the weak memory model: every kept input is clean under RACEFUZZ_MEMORY=weak too.
    add_test(NAME ${name}_corpus_replay_weak COMMAND ${name} -runs=0 ${_dirs})
    set_tests_properties(${name}_corpus_replay_weak PROPERTIES ENVIRONMENT RACEFUZZ_MEMORY=weak)
    # Deterministic mode only: each input's trace must not depend on the inputs run before it.
    add_test(NAME ${name}_order_independent
             COMMAND ${PROJECT_SOURCE_DIR}/tests/fuzz/order_independence.sh $<TARGET_FILE:${name}>
                     ${_dirs})
  endif()
endfunction()
