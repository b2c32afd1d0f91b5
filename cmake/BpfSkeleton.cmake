# BPF objects and libbpf skeletons (docs/style.md C8).
# clang: the newest versioned one first (Debian 12's unversioned clang is 14, and install-deps
# gives it clang-16), then the unversioned one (Debian 13: 19, testing: 21).
set(_clang_names)
foreach(_v RANGE 30 14 -1)
  list(APPEND _clang_names clang-${_v})
endforeach()
find_program(BPF_CLANG NAMES ${_clang_names} clang DOC "clang used for --target=bpf")
if(NOT BPF_CLANG)
  message(FATAL_ERROR "bpfcap: no clang found (clang-14 or later) to build the BPF programs; "
                      "Debian: sudo packaging/install-deps.sh")
endif()
execute_process(COMMAND ${BPF_CLANG} --version OUTPUT_VARIABLE _clang_version ERROR_QUIET)
string(REGEX MATCH "version ([0-9]+)" _m "${_clang_version}")
if(CMAKE_MATCH_1 AND CMAKE_MATCH_1 LESS 14)
  message(FATAL_ERROR "bpfcap: ${BPF_CLANG} is clang ${CMAKE_MATCH_1}; the BPF programs need "
                      "clang 14 or later")
endif()
message(STATUS "bpfcap: BPF programs built with ${BPF_CLANG} (clang ${CMAKE_MATCH_1})")
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin)
if(NOT BPFTOOL)
  message(FATAL_ERROR "bpfcap: bpftool not found (Debian: apt install bpftool)")
endif()

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|amd64")
  set(BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(BPF_ARCH arm64)
else()
  message(FATAL_ERROR "unsupported architecture ${CMAKE_SYSTEM_PROCESSOR}")
endif()

set(BPF_WARNINGS -Wall -Wextra)
if(BPFCAP_WERROR)
  list(APPEND BPF_WARNINGS -Werror)
endif()

function(bpf_skeleton name)
  cmake_parse_arguments(PARSE_ARGV 1 A "" "SOURCE" "DEPENDS")
  set(src ${CMAKE_CURRENT_SOURCE_DIR}/${A_SOURCE})
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  set(skel ${CMAKE_CURRENT_BINARY_DIR}/${name}.skel.h)
  add_custom_command(OUTPUT ${obj}
    COMMAND ${BPF_CLANG} --target=bpf -D__TARGET_ARCH_${BPF_ARCH} -g -O2
            ${BPF_WARNINGS} -fno-stack-protector
            -I${PROJECT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR}/bpf
            -idirafter /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}
            -MD -MT ${obj} -MF ${obj}.d -c ${src} -o ${obj}.tmp
    COMMAND ${BPFTOOL} gen object ${obj} ${obj}.tmp
    COMMAND ${CMAKE_COMMAND} -E remove ${obj}.tmp
    DEPENDS ${src} ${A_DEPENDS} DEPFILE ${obj}.d
    COMMENT "BPF ${name}.bpf.o" VERBATIM)
  add_custom_command(OUTPUT ${skel}
    COMMAND sh -c "\"$0\" gen skeleton \"$1\" > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
            ${BPFTOOL} ${obj} ${skel}
    DEPENDS ${obj} COMMENT "GEN-SKEL ${name}.skel.h" VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
endfunction()
