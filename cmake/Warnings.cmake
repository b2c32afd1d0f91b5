# Host C warning set (docs/style.md C8). BPF C gets its own flags in BpfSkeleton.cmake.
include(CheckCCompilerFlag)
set(BPFCAP_HOST_WARNINGS
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
    -Wno-format-nonliteral)
# gcc only (clang < 18 has no -Wformat-truncation and -Werror turns the unknown option fatal)
check_c_compiler_flag(-Wformat-truncation BPFCAP_CC_HAS_WFORMAT_TRUNCATION)
if(BPFCAP_CC_HAS_WFORMAT_TRUNCATION)
  list(APPEND BPFCAP_HOST_WARNINGS -Wno-format-truncation)
endif()
if(BPFCAP_WERROR)
  list(APPEND BPFCAP_HOST_WARNINGS -Werror)
endif()

function(bpfcap_warnings target)
  target_compile_options(${target} PRIVATE ${BPFCAP_HOST_WARNINGS})
endfunction()
