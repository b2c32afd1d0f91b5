# -DBPFCAP_SANITIZE=address,undefined applies to every host target of this project.
if(BPFCAP_SANITIZE)
  set(_san "-fsanitize=${BPFCAP_SANITIZE}" -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_compile_options(${_san})
  add_link_options(${_san})
  message(STATUS "bpfcap: sanitizers ${BPFCAP_SANITIZE}")
endif()
