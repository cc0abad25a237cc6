# -DRACEFUZZ_PLANTED_BUG=<name>: builds the libraries and the planted clients from a patched copy.
#
# At configure time, core/ and bench/planted/clients/ are copied to ${CMAKE_BINARY_DIR}/planted and
# bench/planted/<name>.patch is applied there (patch -p1, paths relative to the repo root). The
# caller then adds ${RACEFUZZ_PLANTED_ROOT}/core instead of core/: since core/CMakeLists.txt roots
# its includes at the folder holding the core/ it is read from, every "core/..." include (and every
# "bench/planted/clients/..." one) resolves to the patched copy. The shipped sources are never
# modified. Sets RACEFUZZ_PLANTED_ROOT (the project root when no bug is planted).
set(RACEFUZZ_PLANTED_BUG "" CACHE STRING "Name of a bench/planted/<name>.patch to build with")
if(RACEFUZZ_PLANTED_BUG STREQUAL "")
  set(RACEFUZZ_PLANTED_ROOT ${PROJECT_SOURCE_DIR})
  return()
endif()

set(_patch ${PROJECT_SOURCE_DIR}/bench/planted/${RACEFUZZ_PLANTED_BUG}.patch)
if(NOT EXISTS ${_patch})
  file(GLOB _all RELATIVE ${PROJECT_SOURCE_DIR}/bench/planted ${PROJECT_SOURCE_DIR}/bench/planted/*.patch)
  string(REPLACE ".patch" "" _all "${_all}")
  message(FATAL_ERROR "RACEFUZZ_PLANTED_BUG=${RACEFUZZ_PLANTED_BUG}: no ${_patch}; known: ${_all}")
endif()
find_program(RACEFUZZ_PATCH_EXECUTABLE patch REQUIRED)

set(RACEFUZZ_PLANTED_ROOT ${CMAKE_BINARY_DIR}/planted)
file(REMOVE_RECURSE ${RACEFUZZ_PLANTED_ROOT})
file(COPY ${PROJECT_SOURCE_DIR}/core DESTINATION ${RACEFUZZ_PLANTED_ROOT})
file(COPY ${PROJECT_SOURCE_DIR}/bench/planted/clients DESTINATION ${RACEFUZZ_PLANTED_ROOT}/bench/planted)
execute_process(
  COMMAND ${RACEFUZZ_PATCH_EXECUTABLE} -p1 --batch --forward --no-backup-if-mismatch -i ${_patch}
  WORKING_DIRECTORY ${RACEFUZZ_PLANTED_ROOT}
  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "planted bug ${RACEFUZZ_PLANTED_BUG}: ${_patch} does not apply:\n${_out}")
endif()
message(STATUS "racefuzz: planted bug ${RACEFUZZ_PLANTED_BUG} applied in ${RACEFUZZ_PLANTED_ROOT}")

# Re-copy and re-patch whenever the patch or any copied source changes.
file(GLOB_RECURSE _sources ${PROJECT_SOURCE_DIR}/core/* ${PROJECT_SOURCE_DIR}/bench/planted/clients/*)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_patch} ${_sources})
