# ASan + UBSan for the whole tree (the asan and fuzz presets). Applied globally so that every
# library a fuzz target or test links is instrumented the same way.
if(MOONPANE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
# ThreadSanitizer (the tsan preset): the writer, reader and search threads of the store.
if(MOONPANE_TSAN)
  if(MOONPANE_SANITIZE)
    message(FATAL_ERROR "MOONPANE_TSAN and MOONPANE_SANITIZE cannot be combined")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(MOONPANE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MOONPANE_FUZZ needs clang (libFuzzer); use the 'fuzz' preset")
  endif()
  # Coverage instrumentation for everything; the fuzz targets add -fsanitize=fuzzer at link time.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
