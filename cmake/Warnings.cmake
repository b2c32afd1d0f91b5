# Host C warning set (STYLE.md C8). BPF C gets its own flags in BpfSkeleton.cmake.
set(BPFCAP_HOST_WARNINGS
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
    -Wno-format-nonliteral -Wno-format-truncation)
if(BPFCAP_WERROR)
  list(APPEND BPFCAP_HOST_WARNINGS -Werror)
endif()

function(bpfcap_warnings target)
  target_compile_options(${target} PRIVATE ${BPFCAP_HOST_WARNINGS})
endfunction()
