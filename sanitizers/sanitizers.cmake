# Wires one sanitizer build. Every target that links `racefuzz::instrumented` is compiled with the
# build's sanitizer and with libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link), so the
# core models give the fuzzer coverage too. Fuzz targets are added with `racefuzz_add_fuzzer`.
#
# TSan and ASan cannot share a binary, so every fuzzer is built twice: the `tsan` and `asan` presets.

add_library(racefuzz_instrumented INTERFACE)
add_library(racefuzz::instrumented ALIAS racefuzz_instrumented)
target_compile_options(racefuzz_instrumented INTERFACE -g -fno-omit-frame-pointer)

if(RACEFUZZ_SANITIZER STREQUAL "tsan")
  set(_san -fsanitize=thread)
  set(RACEFUZZ_FUZZING_ENGINE ON)
elseif(RACEFUZZ_SANITIZER STREQUAL "asan")
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all)
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

target_compile_options(racefuzz_instrumented INTERFACE ${_san})
target_link_options(racefuzz_instrumented INTERFACE ${_san})
target_compile_definitions(racefuzz_instrumented INTERFACE
  RACEFUZZ_BUILD_NAME="${RACEFUZZ_SANITIZER}")
if(RACEFUZZ_FUZZING_ENGINE)
  target_compile_options(racefuzz_instrumented INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Compiled-in sanitizer defaults (halt_on_error=1 for TSan, ...): a bare run of any binary behaves
# right without TSAN_OPTIONS. The same options are in sanitizers/*.options for ClusterFuzzLite.
add_library(racefuzz_sanitizer_defaults OBJECT ${CMAKE_CURRENT_LIST_DIR}/default_options.cc)
target_compile_options(racefuzz_sanitizer_defaults PRIVATE ${_san})
target_link_libraries(racefuzz_instrumented INTERFACE
  $<TARGET_OBJECTS:racefuzz_sanitizer_defaults>)

# racefuzz_add_fuzzer(<name> SOURCES <files...> [LIBS <libs...>])
# Builds `<name>` as a libFuzzer target (a standalone replay main in the `debug` build).
function(racefuzz_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE racefuzz_instrumented ${ARG_LIBS})
  if(RACEFUZZ_FUZZING_ENGINE)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/fuzzers/standalone_main.cc)
  endif()
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
    # Deterministic mode only: each input's trace must not depend on the inputs run before it.
    add_test(NAME ${name}_order_independent
             COMMAND ${PROJECT_SOURCE_DIR}/tests/fuzz/order_independence.sh $<TARGET_FILE:${name}>
                     ${_dirs})
  endif()
endfunction()
